from django.db import migrations

from aftersales.sla import defaults


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]
    operations = [migrations.RunPython(defaults.install, migrations.RunPython.noop)]
