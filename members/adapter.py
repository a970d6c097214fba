"""allauth hooks: where phone numbers live, how codes go out by SMS, member profiles for
social sign-ups. Rules stay in members.services; these only connect allauth to them."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django import forms
from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from clubsite.sms import send_sms
from members.mail import club_from_email, club_site
from members.models import Club, Member, User
from members.phone import InvalidPhoneNumber, phone_normalize
from members.services import member_create_for_user


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return True

    # --- The club's own name on its e-mail, not "[127.0.0.1:8101]" or "klubb@localhost".
    def get_from_email(self):
        return club_from_email()

    def format_email_subject(self, subject):
        return f"{club_site().name}: {subject.strip()}"

    def send_mail(self, template_prefix, email, context):
        super().send_mail(template_prefix, email, {"current_site": club_site(), **context})

    def get_login_redirect_url(self, request):
        user = request.user
        if not hasattr(user, "member") and getattr(user, "is_counter_staff", False):
            return reverse("rewards:counter")
        return super().get_login_redirect_url(request)

    # --- Phone numbers: stored on the user in E.164.
    def phone_form_field(self, **kwargs):
        return forms.CharField(label=_("Mobile number"), max_length=32, **kwargs)

    def clean_phone(self, phone: str) -> str:
        try:
            return phone_normalize(phone)
        except InvalidPhoneNumber:
            raise forms.ValidationError(_("Enter a valid mobile number.")) from None

    def set_phone(self, user, phone: str, verified: bool) -> None:
        user.phone = phone
        user.phone_verified = verified
        user.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user):
        return (user.phone, user.phone_verified) if user.phone else None

    def set_phone_verified(self, user, phone: str) -> None:
        if user.phone == phone:
            # On the instance too: allauth goes on to check this very object.
            user.phone_verified = True
            user.save(update_fields=["phone_verified"])

    def get_user_by_phone(self, phone: str):
        return User.objects.filter(phone=phone, is_active=True).first()

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        send_sms(
            phone, _("Your login code for %(club)s: %(code)s") % {"club": self._club_name(), "code": code}
        )

    def send_unknown_account_sms(self, phone: str, **kwargs) -> None:
        # Someone asked for a code for a number we do not know: tell the owner of the
        # number how to join instead of saying nothing (and without revealing anything).
        join_url = settings.LOJAL_SITE_URL + reverse("members:join")
        send_sms(
            phone,
            _("No membership in %(club)s uses this number. Join here: %(url)s")
            % {"club": self._club_name(), "url": join_url},
        )

    @staticmethod
    def _club_name() -> str:
        return Club.load().name


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_provider(self, request, provider, client_id=None):
        """A provider the owner has not set up (no Social application in admin) does not
        exist here: its login, callback and token URLs answer 404, not allauth's error."""
        try:
            return super().get_provider(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404 from None

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        if not Member.objects.filter(user=user).exists():
            member_create_for_user(user=user, source=Member.Source.SOCIAL)
        return user
