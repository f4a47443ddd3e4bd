from decimal import Decimal

from django.db import migrations

# DESIGN §3: the legal ceilings of volunteer flat-rate reimbursements (indexed every year).
CEILINGS = {
    2023: ("40.67", "1626.77"),
    2024: ("41.48", "1659.29"),
    2025: ("42.31", "1692.51"),
    2026: ("44.02", "1760.83"),
}


def seed(apps, schema_editor):
    ceiling = apps.get_model("chantiers", "IndemnityCeiling")
    for year, (daily, annual) in CEILINGS.items():
        ceiling.objects.update_or_create(
            year=year, defaults={"daily": Decimal(daily), "annual": Decimal(annual)}
        )


class Migration(migrations.Migration):
    dependencies = [("chantiers", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
