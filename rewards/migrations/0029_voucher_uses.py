"""Voucher uses as rows of their own (rewards.VoucherUse), and when each voucher was written
(rewards.Voucher.recorded_at), for the dashboard's daily voucher rollups. The vouchers that
stand used get one use at the time and shop they were used; older undone uses left no trace,
so they have none (as the dashboard counted them). Batches of ids: memory stays bounded."""

import django.db.models.deletion
import django.db.models.functions.datetime
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import F

BATCH = 5000


def uses_from_vouchers(apps, schema_editor):
    Voucher = apps.get_model("rewards", "Voucher")
    VoucherUse = apps.get_model("rewards", "VoucherUse")
    Voucher.objects.update(recorded_at=F("issued_at"))
    used = Voucher.objects.filter(used_at__isnull=False).order_by("pk")
    rows = used.values_list("pk", "used_at", "used_location_id").iterator(chunk_size=BATCH)
    batch = []
    for pk, used_at, location_id in rows:
        batch.append(
            VoucherUse(
                voucher_id=pk, uses=1, location_id=location_id, created_at=used_at, recorded_at=used_at
            )
        )
        if len(batch) == BATCH:
            VoucherUse.objects.bulk_create(batch)
            batch = []
    VoucherUse.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0010_home_shop"),
        ("rewards", "0028_voucher_issued_location"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="VoucherUse",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uses", models.SmallIntegerField(verbose_name="uses")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="time")),
                (
                    "recorded_at",
                    models.DateTimeField(
                        db_default=django.db.models.functions.datetime.Now(),
                        default=django.utils.timezone.now,
                        editable=False,
                        verbose_name="recorded",
                    ),
                ),
            ],
            options={
                "verbose_name": "voucher use",
                "verbose_name_plural": "voucher uses",
                "ordering": ["-created_at", "-id"],
                "base_manager_name": "objects",
            },
        ),
        migrations.AddField(
            model_name="voucher",
            name="recorded_at",
            field=models.DateTimeField(
                db_default=django.db.models.functions.datetime.Now(),
                default=django.utils.timezone.now,
                editable=False,
                verbose_name="recorded",
            ),
        ),
        migrations.AddIndex(
            model_name="voucher",
            index=models.Index(fields=["issued_at"], name="voucher_issued"),
        ),
        migrations.AddIndex(
            model_name="voucher",
            index=models.Index(fields=["recorded_at"], name="voucher_recorded"),
        ),
        migrations.AddField(
            model_name="voucheruse",
            name="location",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="members.location",
                verbose_name="location",
            ),
        ),
        migrations.AddField(
            model_name="voucheruse",
            name="voucher",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="uses",
                to="rewards.voucher",
                verbose_name="voucher",
            ),
        ),
        migrations.AddIndex(
            model_name="voucheruse",
            index=models.Index(fields=["created_at"], name="voucheruse_time"),
        ),
        migrations.AddIndex(
            model_name="voucheruse",
            index=models.Index(fields=["recorded_at"], name="voucheruse_recorded"),
        ),
        migrations.AddConstraint(
            model_name="voucheruse",
            constraint=models.CheckConstraint(
                condition=models.Q(("uses__in", [1, -1])), name="voucheruse_one"
            ),
        ),
        migrations.RunPython(uses_from_vouchers, migrations.RunPython.noop),
    ]
