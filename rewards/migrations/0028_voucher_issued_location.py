"""Where each voucher was issued (rewards.Voucher.issued_location): the shop of the entry that
paid for it with points, or of the stamp that filled its card. Set-based: two UPDATEs,
whatever the number of vouchers."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def place(apps, schema_editor):
    Voucher = apps.get_model("rewards", "Voucher")
    LedgerEntry = apps.get_model("rewards", "LedgerEntry")
    StampEntry = apps.get_model("rewards", "StampEntry")
    Voucher.objects.filter(redeem_entry__isnull=False).update(
        issued_location=Subquery(LedgerEntry.objects.filter(pk=OuterRef("redeem_entry")).values("location")[:1])
    )
    Voucher.objects.filter(stamp_entry__isnull=False).update(
        issued_location=Subquery(StampEntry.objects.filter(pk=OuterRef("stamp_entry")).values("location")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0010_home_shop"),
        ("rewards", "0027_members_home_shop"),
    ]

    operations = [
        migrations.AddField(
            model_name="voucher",
            name="issued_location",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="members.location",
                verbose_name="issued in",
            ),
        ),
        migrations.RunPython(place, migrations.RunPython.noop),
    ]
