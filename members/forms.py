from __future__ import annotations

import re
from datetime import date

from allauth.account import forms as allauth_forms
from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import ConsentEvent, Interest, Member
from members.phone import InvalidPhoneNumber, phone_normalize
from members.services import consent_wording
from members.text import name_clean

CONTACT_HELP = _("We send your login codes here. No password needed.")
CONTACT_ERROR = _(
    "Enter a valid e-mail address, or a mobile number: 8 digits for Norway, "
    "or with country code such as +46 for other countries."
)


def parse_contact(value: str) -> tuple[str | None, str | None]:
    """Split one "e-mail or mobile number" input into (email, phone E.164).

    Raises ValidationError with a message the member can act on.
    """
    value = (value or "").strip()
    if not value:
        raise ValidationError(_("Enter your e-mail address or your mobile number."), code="required")
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(CONTACT_ERROR, code="invalid") from None
        return value.lower(), None
    try:
        return None, phone_normalize(value)
    except InvalidPhoneNumber:
        raise ValidationError(CONTACT_ERROR, code="invalid") from None


def signup_consent_wording() -> str:
    return str(
        _(
            "Yes, send me offers and news from the club by e-mail or SMS (to the address "
            "or number above). I can withdraw at any time."
        )
    )


class ContactField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("E-mail or mobile number"))
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault("help_text", CONTACT_HELP)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )


class JoinForm(forms.Form):
    """The whole sign-up: at most three fields. Terms are accepted by the button itself."""

    contact = ContactField()
    first_name = forms.CharField(label=_("First name"), max_length=60)
    marketing_consent = forms.BooleanField(label="", required=False, initial=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The label *is* the consent wording we store, so what is shown is what is logged.
        self.fields["marketing_consent"].label = signup_consent_wording()
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template has the form tag and the token

    def clean_contact(self):
        email, phone = parse_contact(self.cleaned_data["contact"])
        self.cleaned_data["email"], self.cleaned_data["phone"] = email, phone
        return self.cleaned_data["contact"]

    def clean_first_name(self):
        name = name_clean(self.cleaned_data["first_name"])
        if not name or re.search(r"[<>{}\[\]@/\\]|\d", name):
            raise ValidationError(_("Enter your first name, using letters only."))
        return name


class LoginForm(allauth_forms.LoginForm):
    """allauth's password login, its field named for what people type (it said "Login")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("E-mail or mobile number")
        self.fields["login"].widget.attrs["placeholder"] = ""


class RequestLoginCodeForm(allauth_forms.RequestLoginCodeForm):
    """allauth's "send me a code" form with one field for e-mail *or* mobile number."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("email", None)
        self.fields.pop("phone", None)
        self.fields["login"] = ContactField(help_text=_("We send you a one-time code."))

    def clean_login(self):
        email, phone = parse_contact(self.cleaned_data["login"])
        # Hand over to allauth's own checks (user lookup, per-address rate limit).
        self.cleaned_data["email"], self.cleaned_data["phone"] = email, phone
        if email:
            self.clean_email()
        else:
            self.clean_phone()
        return self.cleaned_data["login"]


def _validate_birthday(value: date | None) -> None:
    if value is None:
        return
    today = timezone.localdate()
    if value > today:
        raise ValidationError(_("Your birthday cannot be in the future."))
    if value.year < today.year - 120:
        raise ValidationError(_("Enter a birthday within the last 120 years."))


class ProfileForm(forms.Form):
    """Progressive profile: all optional but the first name; each field can be asked alone."""

    first_name = forms.CharField(label=_("First name"), max_length=60)
    last_name = forms.CharField(label=_("Last name"), max_length=80, required=False)
    birthday = forms.DateField(
        label=_("Birthday"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[_validate_birthday],
        help_text=_("We celebrate with you in your birthday month."),
    )
    postcode = forms.RegexField(
        label=_("Postcode"),
        required=False,
        regex=r"^[0-9A-Za-z][0-9A-Za-z -]{2,9}$",
        max_length=10,
        error_messages={"invalid": _("Enter a postcode such as 0150 or 123 45.")},
        help_text=_("Tells us which shop is nearest to you."),
    )
    interests = forms.ModelMultipleChoiceField(
        label=_("What do you like?"),
        queryset=Interest.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    AUTOCOMPLETE = {
        "first_name": {"autocomplete": "given-name"},
        "last_name": {"autocomplete": "family-name"},
        "birthday": {"autocomplete": "bday"},
        "postcode": {"autocomplete": "postal-code", "inputmode": "numeric"},
    }

    def __init__(self, *args, only: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if only:
            for name in list(self.fields):
                if name != only:
                    del self.fields[name]
        for name, attrs in self.AUTOCOMPLETE.items():
            if name in self.fields:
                self.fields[name].widget.attrs.update(attrs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template has the form tag and the token

    @staticmethod
    def initial_for(member: Member) -> dict:
        return {
            "first_name": member.user.first_name,
            "last_name": member.user.last_name,
            "birthday": member.birthday,
            "postcode": member.postcode,
            "interests": list(member.interests.all()),
        }


class ConsentForm(forms.Form):
    """The preference centre: channel consents (logged) and marketing preferences."""

    email = forms.BooleanField(required=False)
    sms = forms.BooleanField(required=False)
    paused = forms.BooleanField(
        label=_("Pause all marketing for now"),
        required=False,
        help_text=_("Your consents stay as they are; we simply send nothing until you resume."),
    )
    frequency = forms.ChoiceField(
        label=_("How often may we write?"),
        choices=Member.Frequency.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = consent_wording(ConsentEvent.Channel.EMAIL)
        self.fields["sms"].label = consent_wording(ConsentEvent.Channel.SMS)
        # A channel we have no address for cannot be consented to; say how to add one.
        if not member.user.email:
            self.fields["email"].disabled = True
            self.fields["email"].help_text = _("Add an e-mail address to your account first.")
        if not member.user.phone:
            self.fields["sms"].disabled = True
            self.fields["sms"].help_text = _("Add a mobile number to your account first.")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template has the form tag and the token
