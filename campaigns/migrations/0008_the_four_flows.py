"""The flows a club has, switched off: the owner writes their steps and switches them on."""

from django.db import migrations

DAYS = {"welcome": 0, "birthday": 0, "win_back": 30, "expiring": 14}


def create(apps, schema_editor):
    Flow = apps.get_model("campaigns", "Flow")
    for kind, days in DAYS.items():
        Flow.objects.get_or_create(kind=kind, defaults={"days": days})


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0007_flows")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
