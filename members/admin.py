import contextlib

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.contrib.auth.forms import UserCreationForm as DjangoUserCreationForm
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clubsite.singleton import SingletonAdmin
from members.admin_recruiting import RecruitingMixin
from members.card import NUMBER_PATTERN
from members.models import Club, ConsentEvent, Interest, Location, User
from members.phone import InvalidPhoneNumber, phone_display, phone_normalize


def related_column(path: str, label, *, ordering: str | None = None):
    """A list column showing a related object (`path` like "wallet__member") under a
    translated header: foreign keys without a verbose name would show their English name.
    The list's list_select_related must cover `path`."""

    @admin.display(description=label, ordering=ordering or path)
    def column(obj):
        for part in path.split("__"):
            obj = getattr(obj, part, None)
        return obj

    column.__name__ = path
    return column


def titled_filter(title, base=admin.RelatedFieldListFilter):
    """A list filter on a related object under a translated title (see related_column)."""

    class TitledFilter(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return TitledFilter


class PhoneSearchMixin:
    """Lets the owner search by a phone number typed any way ("912 34 567", "+47...",
    "0047...") and by a member number with or without its dash ("ab23-cd45")."""

    phone_search_field = "phone"
    number_search_field = None

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        exact = {}
        with contextlib.suppress(InvalidPhoneNumber):
            exact[self.phone_search_field] = phone_normalize(search_term)
        number = search_term.strip().upper().replace(" ", "").replace("-", "")
        if self.number_search_field and number and NUMBER_PATTERN.fullmatch(number):
            exact[self.number_search_field] = number
        for lookup, value in exact.items():
            results = results | queryset.filter(**{lookup: value})
        return results, may_have_duplicates


class UserCreationForm(DjangoUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "phone", "first_name")


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(PhoneSearchMixin, DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["__str__", "first_name", "last_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", "locations"]
    search_fields = ["email", "phone", "first_name", "last_name"]
    filter_horizontal = ["groups", "user_permissions", "locations"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "phone", "phone_verified", "password"]}),
        (_("Name"), {"fields": ["first_name", "last_name"]}),
        (
            _("Role and access"),
            {
                "fields": ["is_active", "is_staff", "is_superuser", "groups", "locations"],
                "description": _(
                    "Counter staff and customer service need their group and at least one "
                    "location. Only the owner (superuser or the Owner group, with staff "
                    "status) can open this admin."
                ),
            },
        ),
        (_("Permissions"), {"fields": ["user_permissions"], "classes": ["collapse"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "phone", "first_name", "password1", "password2"]}),
    ]

    def get_queryset(self, request):
        # Customer service (view only) sees members' accounts, never the staff's.
        users = super().get_queryset(request)
        if request.user.is_owner:
            return users
        return users.filter(is_staff=False, is_superuser=False, groups=None)


@admin.register(Club)
class ClubAdmin(SingletonAdmin):
    """One club per installation: the list goes straight to its form."""

    fieldsets = [
        (None, {"fields": ["name", "app_name", "tagline", "logo", "brand_colour", "contact_email"]}),
        (_("Home and welcome pages"), {"fields": ["benefits", "first_steps"]}),
        (_("Terms and privacy"), {"fields": ["terms", "privacy", "retention_months"]}),
    ]


class ErasedFilter(admin.SimpleListFilter):
    title = _("erased")
    parameter_name = "erased"

    def lookups(self, request, model_admin):
        return [("no", _("Current members")), ("yes", _("Erased"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(erased_at=None)
        if self.value() == "yes":
            return queryset.exclude(erased_at=None)
        return queryset


@admin.register(Location)
class LocationAdmin(RecruitingMixin, admin.ModelAdmin):
    list_display = ["name", "address", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "address"]


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class ConsentEventInline(admin.TabularInline):
    model = ConsentEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "channel", "granted", "source", "wording_version", "wording"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]

    def has_add_permission(self, request, obj=None):
        return False


class MemberAdmin(PhoneSearchMixin, admin.ModelAdmin):
    """The member's own fields; the owner's page (members.admin_member) adds the rest."""

    phone_search_field = "user__phone"
    number_search_field = "number"
    list_display = ["number", "first_name", "last_name", "email", "phone", "joined_at", "source"]
    list_filter = [
        ErasedFilter,
        "source",
        "channel",
        "home_location",
        "joined_at",
        "marketing_paused",
        "frequency",
        "interests",
    ]
    list_select_related = ["user"]
    search_fields = ["number", "user__email", "user__phone", "user__first_name", "user__last_name"]
    search_help_text = _("Name, e-mail, mobile number (typed any way) or member number.")
    date_hierarchy = "joined_at"
    filter_horizontal = ["interests"]
    readonly_fields = [
        "number",
        "joined_at",
        "source",
        "terms_version",
        "terms_accepted_at",
        "birthday_set_at",
        "erasure_warned_at",
        "erased_at",
        "home_location",  # set by its rule (members.services.home), so that a shop's figures hold
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "account",
                    "number",
                    "joined_at",
                    "source",
                    "home_location",
                    "erasure_warned_at",
                    "erased_at",
                ]
            },
        ),
        (_("Profile"), {"fields": ["birthday", "birthday_set_at", "postcode", "interests", "language"]}),
        (_("Marketing"), {"fields": ["marketing_paused", "frequency"]}),
        (_("Terms"), {"fields": ["terms_version", "terms_accepted_at"]}),
    ]
    inlines = [ConsentEventInline]

    # Members join through the join form, the counter or an import (all through
    # members.services, which gives them a number and a card); never as a bare admin row.
    def has_add_permission(self, request):
        return False

    # Leaving is erasure (members.services.member_erase), which keeps the books whole; a
    # deleted row would take the member's history with it, or fail on it.
    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return ["account", *super().get_readonly_fields(request, obj)]

    @admin.display(description=_("user"))
    def account(self, obj):
        url = reverse("admin:members_user_change", args=[obj.user_id])
        return format_html('<a href="{}">{}</a>', url, obj.user)

    @admin.display(description=_("first name"), ordering="user__first_name")
    def first_name(self, obj):
        return obj.user.first_name

    @admin.display(description=_("last name"), ordering="user__last_name")
    def last_name(self, obj):
        return obj.user.last_name

    @admin.display(description=_("e-mail"), ordering="user__email")
    def email(self, obj):
        return obj.user.email

    @admin.display(description=_("mobile"), ordering="user__phone")
    def phone(self, obj):
        return phone_display(obj.user.phone) if obj.user.phone else None


@admin.register(ConsentEvent)
class ConsentEventAdmin(PhoneSearchMixin, admin.ModelAdmin):
    """The consent log is evidence: readable and searchable, never edited."""

    phone_search_field = "member__user__phone"
    number_search_field = "member__number"
    list_display = [
        "created_at",
        related_column("member", _("member"), ordering="member__number"),
        "purpose",
        "channel",
        "granted",
        "source",
        "wording_version",
    ]
    list_filter = ["purpose", "channel", "granted", "source", "wording_version"]
    list_select_related = ["member__user"]
    search_fields = ["member__number", "member__user__email", "member__user__first_name"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The owner's member page (panels, GDPR buttons, import and export) is registered there.
from members import admin_member  # noqa: E402,F401
