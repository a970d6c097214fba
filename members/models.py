"""Who people are: users, the club and its locations, members and their consents."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from clubsite.singleton import SingletonModel
from members import roles
from members.text import NameField, short_name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email=None, password=None, *, phone=None, **extra_fields):
        if not email and not phone:
            raise ValueError("A user needs an e-mail address or a phone number.")
        user = self.model(email=email.lower() if email else None, phone=phone or None)
        for name, value in extra_fields.items():
            setattr(user, name, value)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who can log in: a member, a staff user or the owner.

    Identified by e-mail *or* phone (E.164); there is no username. E-mail is stored in
    lower case, so that two spellings of one address are one account.
    """

    email = models.EmailField(_("e-mail address"), unique=True, null=True, blank=True)
    phone = models.CharField(_("mobile number"), max_length=20, unique=True, null=True, blank=True)
    phone_verified = models.BooleanField(_("mobile number verified"), default=False)
    first_name = NameField(_("first name"), max_length=60, blank=True)
    last_name = NameField(_("last name"), max_length=80, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    locations = models.ManyToManyField(
        "members.Location",
        blank=True,
        related_name="staff",
        verbose_name=_("works at"),
        help_text=_("The shops where this staff user may work at the counter."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(email__isnull=False)
                | models.Q(phone__isnull=False)
                | models.Q(is_active=False),
                name="user_has_email_or_phone",
            ),
        ]

    def __str__(self):
        return self.email or self.phone or f"#{self.pk}"

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name

    @cached_property
    def role_names(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    @property
    def is_owner(self) -> bool:
        return self.is_superuser or roles.OWNER in self.role_names

    @property
    def is_counter_staff(self) -> bool:
        """May use the counter: counter staff, customer service and the owner."""
        return self.is_owner or bool(self.role_names & {roles.COUNTER_STAFF, roles.CUSTOMER_SERVICE})

    @property
    def is_customer_service(self) -> bool:
        return self.is_owner or roles.CUSTOMER_SERVICE in self.role_names


hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB, e.g. #8a4b2d."))


class Club(SingletonModel):
    """The one club this installation runs; the owner edits its texts in admin."""

    name = models.CharField(_("name"), max_length=80, default="Lojal")
    app_name = models.CharField(
        _("name on the home screen"),
        max_length=12,
        blank=True,
        help_text=_(
            "At most 12 characters, under the icon of the installed card. Empty: the first words of the name."
        ),
    )
    tagline = models.CharField(_("tagline"), max_length=160, blank=True)
    benefits = models.TextField(
        _("what members get"), blank=True, help_text=_("One benefit per line; shown on the home page.")
    )
    first_steps = models.TextField(
        _("what to do first"),
        blank=True,
        help_text=_("Shown on the welcome page right after joining, e.g. your welcome offer."),
    )
    logo = models.ImageField(_("logo"), upload_to="club/", blank=True)
    brand_colour = models.CharField(
        _("brand colour"), max_length=7, default="#8a4b2d", validators=[hex_colour]
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    terms = models.TextField(_("membership terms"), blank=True)
    privacy = models.TextField(
        _("privacy statement"),
        blank=True,
        help_text=_("Shown after the privacy page the club generates from its settings."),
    )
    retention_months = models.PositiveIntegerField(
        _("erase inactive members after (months)"),
        default=36,
        help_text=_(
            "Members with no purchase, visit or login for this long are warned by e-mail or SMS, "
            "and erased 30 days later unless they come back. 0 = keep members until they leave."
        ),
    )

    class Meta:
        verbose_name = _("club")
        verbose_name_plural = _("club")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="club_is_singleton")]

    def __str__(self):
        return self.name

    @property
    def home_screen_name(self) -> str:
        return self.app_name or short_name(self.name)

    @property
    def benefit_list(self) -> list[str]:
        return [line.strip() for line in self.benefits.splitlines() if line.strip()]


class Location(models.Model):
    """A shop branch. Staff are assigned to locations; counter actions happen at one."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Interest(models.Model):
    """A product category a member may say they like (progressive profiling, segments)."""

    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("interest")
        verbose_name_plural = _("interests")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Member(models.Model):
    class Source(models.TextChoices):
        WEB = "web", _("web sign-up")
        COUNTER = "counter", _("at the counter")
        SOCIAL = "social", _("social login")
        IMPORT = "import", _("import")

    class Channel(models.TextChoices):
        """How the member found the way in (the guides' "innmeldingskanal"): the dashboard
        counts sign-ups per channel. Join links carry it (?kanal=, see members.recruiting)."""

        SHOP_QR = "shop_qr", _("QR code in the shop")
        RECEIPT = "receipt", _("receipt")
        WEB = "web", _("website")
        SOCIAL = "social", _("social media")
        REFERRAL = "referral", _("invited by a member")
        TILL = "till", _("at the till")
        IMPORT = "import", _("import")

    class Frequency(models.TextChoices):
        ANY = "any", _("Whenever there is news")
        MONTHLY_2 = "monthly_2", _("At most twice a month")
        MONTHLY_1 = "monthly_1", _("At most once a month")

    user = models.OneToOneField(
        User, on_delete=models.PROTECT, related_name="member", verbose_name=_("user account")
    )
    number = models.CharField(_("member number"), max_length=12, unique=True)
    # Per-member secret for the rotating QR code (the counter issue derives codes from it).
    card_secret = models.CharField(max_length=64, editable=False)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now, db_index=True)
    source = models.CharField(_("joined via"), max_length=10, choices=Source.choices, default=Source.WEB)
    channel = models.CharField(
        _("sign-up channel"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    joined_location = models.ForeignKey(
        Location,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("joined at shop"),
    )
    # The shop the member belongs to on the owner's dashboard (a shop's members, their
    # points, consents, tiers): the shop they joined at, or else the shop of their first
    # visit or purchase. Set once by members.services.home and never moved, so that a
    # shop's figures do not shift when someone's habits do; empty for a member who joined
    # online and has not yet been to a shop.
    home_location = models.ForeignKey(
        Location,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("home shop"),
        help_text=_(
            "The shop the dashboard counts the member in: where they joined, or else the shop of their "
            "first visit or purchase. Set once, so that a shop's figures do not shift."
        ),
    )
    terms_version = models.CharField(_("terms version accepted"), max_length=20, blank=True)
    terms_accepted_at = models.DateTimeField(_("terms accepted"), null=True, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    # When the birthday was last entered: a birthday bonus needs it to be older than 30 days,
    # so that nobody sets "today" to collect one.
    birthday_set_at = models.DateTimeField(_("birthday entered"), null=True, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    interests = models.ManyToManyField(Interest, blank=True, verbose_name=_("interests"))
    marketing_paused = models.BooleanField(_("all marketing paused"), default=False)
    frequency = models.CharField(
        _("how often"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY_2
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)
    # When the retention sweep (members.services.retention) told the member that their
    # inactive membership will be erased; cleared when they come back. A re-run never
    # warns twice, and erases only once the warning is old enough.
    erasure_warned_at = models.DateTimeField(_("warned of erasure"), null=True, blank=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["-joined_at"]

    def __str__(self):
        return f"{self.display_number} {self.user.first_name}".strip()

    @property
    def display_number(self) -> str:
        """The number as printed on the card: two groups of four for easy reading aloud."""
        n = self.number
        return f"{n[:4]}-{n[4:]}" if len(n) == 8 else n

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class ConsentEvent(models.Model):
    """One grant or withdrawal of consent; append-only. The current consent is the latest row
    per (purpose, channel); see members.selectors."""

    class Purpose(models.TextChoices):
        MARKETING = "marketing", _("offers and news")

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("SMS")

    class Source(models.TextChoices):
        SIGNUP = "signup", _("sign-up")
        PREFERENCES = "preferences", _("preference centre")
        UNSUBSCRIBE = "unsubscribe", _("unsubscribe link")
        COUNTER = "counter", _("counter")
        IMPORT = "import", _("import")
        ERASURE = "erasure", _("erasure")
        # Said by the e-mail provider: the address bounces for good, or the member marked an
        # e-mail as spam. Either stops marketing on that channel like a withdrawal.
        BOUNCE = "bounce", _("address bounced")
        COMPLAINT = "complaint", _("marked as spam")

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="consent_events", verbose_name=_("member")
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    granted = models.BooleanField(_("granted"))
    wording_version = models.CharField(_("wording version"), max_length=20)
    wording = models.TextField(_("wording shown"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("consent event")
        verbose_name_plural = _("consent log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["member", "purpose", "channel", "-created_at"])]

    def __str__(self):
        verb = _("granted") if self.granted else _("withdrawn")
        return f"{self.member_id} {self.channel} {verb}"

    def save(self, *args, **kwargs):
        # The log is evidence: a row, once written, is never changed.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Consent events are append-only.")
        super().save(*args, **kwargs)
