from django.db import migrations

from aftersales.search import schema


def forwards(apps, schema_editor):
    schema.create(schema_editor)


def backwards(apps, schema_editor):
    schema.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
