"""Every wallet without a tier goes into the base tier (the lowest, when it starts at 0):
a member is in it from joining (issue 14). The same rule as tiers.tier_base_assign()."""

from django.db import migrations


def wallets_to_base_tier(apps, schema_editor):
    Tier = apps.get_model("rewards", "Tier")
    Wallet = apps.get_model("rewards", "Wallet")
    base = Tier.objects.order_by("threshold").first()
    if base is not None and base.threshold <= 0:
        Wallet.objects.filter(tier=None).update(tier=base)


class Migration(migrations.Migration):
    dependencies = [("rewards", "0008_stock_check_is_the_columns_own")]

    operations = [migrations.RunPython(wallets_to_base_tier, migrations.RunPython.noop)]
