from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ClubAdminSite(admin.AdminSite):
    site_header = _("Lojal administration")
    site_title = _("Lojal")
    index_title = _("The club's back office")

    def has_permission(self, request):
        # Staff flags alone are not enough: counter staff work at the till. The owner
        # (superuser or the "Owner" group) manages the club; customer service gets the
        # members' pages their group's permissions allow (members.roles), nothing more.
        user = request.user
        if not user.is_active:
            return False
        return bool(
            (user.is_staff and getattr(user, "is_owner", False))
            or getattr(user, "is_customer_service", False)
        )


def changelist_url(changelist: str, **params) -> str:
    """An admin list's address, filtered: only what a list allows as a filter (a search, or
    a foreign key's id), so that a link from one page to another never opens an error."""
    allowed = {k: v for k, v in params.items() if k == "q" or k.endswith("__id__exact")}
    query = "&".join(f"{key}={value}" for key, value in allowed.items())
    return f"{reverse(f'admin:{changelist}_changelist')}?{query}"
