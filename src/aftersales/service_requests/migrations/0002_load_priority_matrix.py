from django.db import migrations

DEFAULT_MATRIX = {
    ("high", "high"): "urgent",
    ("high", "medium"): "high",
    ("high", "low"): "medium",
    ("medium", "high"): "high",
    ("medium", "medium"): "medium",
    ("medium", "low"): "low",
    ("low", "high"): "medium",
    ("low", "medium"): "low",
    ("low", "low"): "low",
}


def load(apps, schema_editor):
    PriorityRule = apps.get_model("service_requests", "PriorityRule")
    for (impact, urgency), priority in DEFAULT_MATRIX.items():
        PriorityRule.objects.get_or_create(impact=impact, urgency=urgency, defaults={"priority": priority})


class Migration(migrations.Migration):
    dependencies = [("service_requests", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
