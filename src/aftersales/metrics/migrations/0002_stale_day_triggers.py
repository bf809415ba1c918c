from django.db import migrations

from aftersales.metrics import triggers


def install(apps, schema_editor):
    triggers.install(schema_editor)


def remove(apps, schema_editor):
    triggers.remove(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0001_rollups"),
        ("service_requests", "0008_channels_for_integrations_and_external_reference"),
        ("surveys", "0003_sms_label"),
    ]

    operations = [migrations.RunPython(install, remove)]
