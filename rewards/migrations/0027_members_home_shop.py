"""Give the members who joined before home shops existed theirs (members.Member.home_location):
the shop they joined at, or else the shop of their first visit, or else of their first
purchase. Set-based: three UPDATEs, whatever the number of members."""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery


def settle(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    Visit = apps.get_model("rewards", "Visit")
    LedgerEntry = apps.get_model("rewards", "LedgerEntry")
    homeless = Member.objects.filter(home_location=None)
    homeless.filter(joined_location__isnull=False).update(home_location=F("joined_location"))
    first_visit = Visit.objects.filter(member=OuterRef("pk")).order_by("started_at", "pk").values("location")[:1]
    homeless.filter(home_location=None).update(home_location=Subquery(first_visit))
    first_purchase = (
        LedgerEntry.objects.filter(wallet__member=OuterRef("pk"), kind="earn", location__isnull=False)
        .order_by("created_at", "pk")
        .values("location")[:1]
    )
    homeless.filter(home_location=None).update(home_location=Subquery(first_purchase))


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0010_home_shop"),
        ("rewards", "0026_ledger_recorded_at"),
    ]

    operations = [migrations.RunPython(settle, migrations.RunPython.noop)]
