

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='RolledDay',
            fields=[
                ('day', models.DateField(primary_key=True, serialize=False)),
                ('fingerprint', models.CharField(max_length=64)),
                ('built_at', models.DateTimeField()),
            ],
        ),
        migrations.CreateModel(
            name='StaleDay',
            fields=[
                ('day', models.DateField(primary_key=True, serialize=False)),
                ('version', models.BigIntegerField(default=1)),
            ],
        ),
        migrations.CreateModel(
            name='MeasureRollup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('cube', models.CharField(max_length=40)),
                ('scope_team', models.BigIntegerField(null=True)),
                ('team', models.BigIntegerField(null=True)),
                ('person', models.BigIntegerField(null=True)),
                ('channel', models.CharField(max_length=20, null=True)),
                ('kind', models.CharField(max_length=20, null=True)),
                ('category', models.CharField(max_length=20, null=True)),
                ('priority', models.CharField(max_length=10, null=True)),
                ('product_model', models.BigIntegerField(null=True)),
                ('batch', models.CharField(max_length=100, null=True)),
                ('received', models.IntegerField(default=0)),
                ('cancelled', models.IntegerField(default=0)),
                ('received_done', models.IntegerField(default=0)),
                ('complaints', models.IntegerField(default=0)),
                ('resolved', models.IntegerField(default=0)),
                ('first_time_fixed', models.IntegerField(default=0)),
                ('reopened', models.IntegerField(default=0)),
                ('first_response_targets', models.IntegerField(default=0)),
                ('first_response_met', models.IntegerField(default=0)),
                ('resolution_targets', models.IntegerField(default=0)),
                ('resolution_met', models.IntegerField(default=0)),
                ('resolution_timed', models.IntegerField(default=0)),
                ('resolution_seconds', models.BigIntegerField(default=0)),
                ('first_responses', models.IntegerField(default=0)),
                ('first_response_seconds', models.BigIntegerField(default=0)),
                ('csat_answers', models.IntegerField(default=0)),
                ('csat_satisfied', models.IntegerField(default=0)),
                ('csat_score_sum', models.BigIntegerField(default=0)),
            ],
            options={
                'indexes': [models.Index(fields=['cube', 'day'], name='rollup_cube_day')],
            },
        ),
    ]
