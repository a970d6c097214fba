from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class ClubAdminSite(admin.AdminSite):
    site_header = _("Lojal administration")
    site_title = _("Lojal")
    index_title = _("The club's back office")

    def has_permission(self, request):
        # Staff flags alone are not enough: counter staff and customer service work in the
        # club's own pages; only the owner (superuser or the "Owner" group) manages the club.
        user = request.user
        return bool(user.is_active and user.is_staff and getattr(user, "is_owner", False))
