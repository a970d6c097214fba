from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.contrib.auth.forms import UserCreationForm as DjangoUserCreationForm
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from members.models import Club, ConsentEvent, Interest, Location, Member, User
from members.phone import InvalidPhoneNumber, phone_normalize


class PhoneSearchMixin:
    """Lets the owner search by a phone number typed any way ("912 34 567", "+47...")."""

    phone_search_field = "phone"

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            e164 = phone_normalize(search_term)
        except InvalidPhoneNumber:
            return results, may_have_duplicates
        return results | queryset.filter(**{self.phone_search_field: e164}), may_have_duplicates


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


@admin.register(Club)
class ClubAdmin(admin.ModelAdmin):
    """One club per installation: the list goes straight to its form."""

    fieldsets = [
        (None, {"fields": ["name", "tagline", "logo", "brand_colour", "contact_email"]}),
        (_("Home and welcome pages"), {"fields": ["benefits", "first_steps"]}),
        (_("Terms and privacy"), {"fields": ["terms", "privacy"]}),
    ]

    def changelist_view(self, request, extra_context=None):
        Club.load()
        return redirect(reverse("admin:members_club_change", args=[1]))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
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


@admin.register(Member)
class MemberAdmin(PhoneSearchMixin, admin.ModelAdmin):
    phone_search_field = "user__phone"
    list_display = ["number", "first_name", "email", "phone", "joined_at", "source", "erased_at"]
    list_filter = ["source", "joined_at", "marketing_paused", "frequency"]
    list_select_related = ["user"]
    search_fields = ["number", "user__email", "user__phone", "user__first_name", "user__last_name"]
    date_hierarchy = "joined_at"
    autocomplete_fields = ["user"]
    filter_horizontal = ["interests"]
    readonly_fields = ["number", "joined_at", "source", "terms_version", "terms_accepted_at", "erased_at"]
    inlines = [ConsentEventInline]

    @admin.display(description=_("first name"), ordering="user__first_name")
    def first_name(self, obj):
        return obj.user.first_name

    @admin.display(description=_("e-mail"), ordering="user__email")
    def email(self, obj):
        return obj.user.email

    @admin.display(description=_("mobile"), ordering="user__phone")
    def phone(self, obj):
        return obj.user.phone


@admin.register(ConsentEvent)
class ConsentEventAdmin(admin.ModelAdmin):
    """The consent log is evidence: readable and searchable, never edited."""

    list_display = ["created_at", "member", "purpose", "channel", "granted", "source", "wording_version"]
    list_filter = ["purpose", "channel", "granted", "source"]
    list_select_related = ["member__user"]
    search_fields = ["member__number", "member__user__email"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
