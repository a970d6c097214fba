import factory
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from members import roles
from members.models import Location, Member, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Faker("first_name", locale="no_NO")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def email_address(self, create, extracted, **kwargs):
        if create and self.email:
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    user = factory.SubFactory(UserFactory)
    number = factory.Sequence(lambda n: f"T{n:07d}"[:8])
    card_secret = factory.Faker("sha256")
    terms_version = settings.LOJAL_TERMS_VERSION
    terms_accepted_at = factory.LazyFunction(timezone.now)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Butikk {n}")


def staff_user(role: str, *locations: Location, **kwargs) -> User:
    """A staff user in `role` (members.roles) working at `locations`."""
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role))
    user.locations.set(locations)
    if role == roles.OWNER:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


# --- The wallet (rewards app). Tests give points through the services, never by writing rows.


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "rewards.Tier"
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Nivå {n}")
    threshold = factory.Sequence(lambda n: 1000 * (n + 1))
    multiplier = "1.00"


class RewardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "rewards.Reward"

    name = factory.Sequence(lambda n: f"Belønning {n}")
    cost_points = 100
    voucher_valid_days = 30


class StampCardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "rewards.StampCard"

    name = factory.Sequence(lambda n: f"Stempelkort {n}")
    stamps_needed = 10
    reward = factory.SubFactory(RewardFactory, cost_points=None, name="Gratis kaffe")
    max_stamps_per_visit = 1


class PlanFactory(factory.django.DjangoModelFactory):
    """The guides' VIP: 199 kr a year, worth 600 kr, a 30-day trial, a free coffee each month
    (worth 45 kr), double points."""

    class Meta:
        model = "rewards.Plan"

    name = "VIP"
    price_kr = 199
    promised_value_kr = 600
    promise = "Gratis kaffe hver måned og dobbel poeng"
    trial_days = 30
    points_multiplier = "2.00"
    monthly_reward = factory.SubFactory(RewardFactory, cost_points=None, name="Kaffe")
    monthly_reward_value_kr = 45
