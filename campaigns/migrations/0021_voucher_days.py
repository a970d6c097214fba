"""Daily voucher rollups (campaigns.VoucherDay). The rollups' watermark goes back to none:
the next run rolls every day up again, the vouchers' days with the ledger's (at a million
members about a minute), and until then the dashboard reads directly."""

import django.db.models.deletion
from django.db import migrations, models


def roll_up_again(apps, schema_editor):
    apps.get_model("campaigns", "RollupState").objects.update(ledger_until=None)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0020_home_shop_condition"),
        ("members", "0010_home_shop"),
        ("rewards", "0029_voucher_uses"),
    ]

    operations = [
        migrations.CreateModel(
            name="VoucherDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                (
                    "kind",
                    models.CharField(
                        choices=[("issued", "issued"), ("used", "used")], max_length=6, verbose_name="kind"
                    ),
                ),
                ("vouchers", models.IntegerField(verbose_name="vouchers")),
                ("points", models.BigIntegerField(verbose_name="points")),
                ("unpriced", models.IntegerField(verbose_name="vouchers without a points price")),
                (
                    "location",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="members.location",
                        verbose_name="location",
                    ),
                ),
            ],
            options={
                "verbose_name": "day of vouchers",
                "verbose_name_plural": "days of vouchers",
                "indexes": [models.Index(fields=["day"], name="voucherday_day")],
            },
        ),
        migrations.RunPython(roll_up_again, migrations.RunPython.noop),
    ]
