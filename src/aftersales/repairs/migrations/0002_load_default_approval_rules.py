from decimal import Decimal

from django.db import migrations

# SPEC §2.4: a plan that costs money, compensates, or belongs to a complaint needs a
# supervisor's approval. Admins change these afterwards; a rule already there is kept.
DEFAULT_RULES = [
    ("费用超过 500.00", "total_above", Decimal("500.00")),
    ("包含换货", "replacement", None),
    ("包含退款", "refund", None),
    ("包含补偿", "compensation", None),
    ("投诉单", "complaint", None),
]


def load(apps, schema_editor):
    ApprovalRule = apps.get_model("repairs", "ApprovalRule")
    for name, condition, threshold in DEFAULT_RULES:
        if not ApprovalRule.objects.filter(condition=condition).exists():
            ApprovalRule.objects.create(name=name, condition=condition, threshold=threshold)


class Migration(migrations.Migration):
    dependencies = [("repairs", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
