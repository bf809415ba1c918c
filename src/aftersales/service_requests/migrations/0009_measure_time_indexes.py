

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_add_assignment_strategy'),
        ('catalog', '0001_initial'),
        ('customers', '0002_customer_notice_preferences'),
        ('service_requests', '0008_channels_for_integrations_and_external_reference'),
        ('sla', '0003_add_escalation_rules'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='servicerequest',
            index=models.Index(fields=['resolved_at'], name='sr_resolved_at'),
        ),
        migrations.AddIndex(
            model_name='servicerequest',
            index=models.Index(fields=['first_responded_at'], name='sr_first_responded_at'),
        ),
    ]
