"""A shop's active members are now its own members (their home shop) active anywhere, no
longer anyone active at the shop: the kept per-shop days are counted again by the next
roll-up (campaigns.insights.rollups)."""

from django.db import migrations


def forget_shop_days(apps, schema_editor):
    apps.get_model("campaigns", "ActiveDay").objects.exclude(scope=0).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0018_active_days"),
        ("members", "0010_home_shop"),
    ]

    operations = [migrations.RunPython(forget_shop_days, migrations.RunPython.noop)]
