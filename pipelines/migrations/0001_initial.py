"""Pipeline and Pitch move here from the `vicbot` app, keeping their tables and every row.

State only: the tables were created by vicbot 0003 and stay as they are; 0002 then
renames them to this app's names.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('django_celery_beat', '0019_alter_periodictasks_options'),
        ('vicbot', '0005_pipeline_salesforce_calls'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='Pipeline',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.SlugField(max_length=64, unique=True)),
                    ('enabled', models.BooleanField(default=True)),
                    ('sobject', models.CharField(default='Account', help_text='sObject API name, e.g. Account.', max_length=80)),
                    ('selection', models.TextField(default='VicBot_Assessment__c = null', help_text='SOQL condition selecting records to evaluate (written by an operator, sent as is).')),
                    ('fields', models.JSONField(default=list, help_text='Fields sent to the model, in order.')),
                    ('assistant_name', models.SlugField(default='vicbot', max_length=64)),
                    ('prompt_template', models.TextField(default='Evaluate this pitch from our Salesforce {sobject} record {record_id}.\n\n{record}\n', help_text='Placeholders: {record} (the fields, one per line), {sobject}, {record_id}.')),
                    ('answer_mapping', models.JSONField(default=dict, help_text='Answer key → Salesforce field.')),
                    ('field_max_chars', models.PositiveIntegerField(default=4000, help_text='Each field is cut to this many characters, with a marker, before the model sees it.')),
                    ('batch_size', models.PositiveIntegerField(default=500, help_text='Records per query page (200-2000).')),
                    ('max_in_flight', models.PositiveIntegerField(default=10, help_text='Runs evaluating at once; the rest wait.')),
                    ('watermark', models.DateTimeField(blank=True, help_text='Newest SystemModstamp seen.', null=True)),
                    ('intake_lease_until', models.DateTimeField(blank=True, editable=False, null=True)),
                    ('api_usage', models.CharField(blank=True, editable=False, help_text='Latest Sforce-Limit-Info.', max_length=40)),
                    ('salesforce_calls', models.PositiveBigIntegerField(default=0, editable=False, help_text="Salesforce API calls made by this pipeline's intake and write-back.")),
                    ('last_intake_at', models.DateTimeField(blank=True, editable=False, null=True)),
                    ('last_intake_summary', models.CharField(blank=True, editable=False, max_length=255)),
                    ('schedule', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='django_celery_beat.periodictask')),
                ],
                options={
                    'ordering': ['name'],
                    'db_table': 'vicbot_pipeline',
                },
            ),
            migrations.CreateModel(
                name='Pitch',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('salesforce_id', models.CharField(max_length=18)),
                    ('name', models.CharField(blank=True, max_length=255)),
                    ('system_modstamp', models.DateTimeField(blank=True, null=True)),
                    ('snapshot', models.JSONField(default=dict, help_text='The fields as sent to the model.')),
                    ('status', models.CharField(choices=[('new', 'new (waiting for a run)'), ('evaluating', 'Evaluating'), ('evaluated', 'evaluated (write-back pending)'), ('written_back', 'written back'), ('failed', 'Failed'), ('deleted', 'deleted in Salesforce')], db_index=True, default='new', max_length=20)),
                    ('error', models.TextField(blank=True)),
                    ('assessment', models.CharField(blank=True, max_length=255)),
                    ('reasoning', models.TextField(blank=True)),
                    ('writeback_state', models.CharField(choices=[('not_due', 'Not Due'), ('queued', 'Queued'), ('writing', 'Writing'), ('done', 'Done'), ('failed', 'Failed')], db_index=True, default='not_due', max_length=10)),
                    ('writeback_attempts', models.PositiveSmallIntegerField(default=0)),
                    ('writeback_error', models.TextField(blank=True)),
                    ('next_writeback_at', models.DateTimeField(blank=True, null=True)),
                    ('writeback_claimed_at', models.DateTimeField(blank=True, null=True)),
                    ('written_back_at', models.DateTimeField(blank=True, null=True)),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('updated_at', models.DateTimeField(auto_now=True)),
                    ('latest_run', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='vicbot.run')),
                    ('pipeline', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pitches', to='pipelines.pipeline')),
                    ('runs', models.ManyToManyField(blank=True, related_name='pitches', to='vicbot.run')),
                ],
                options={
                    'verbose_name_plural': 'pitches',
                    'db_table': 'vicbot_pitch',
                    'ordering': ['-created_at'],
                    'indexes': [models.Index(fields=['pipeline', 'writeback_state', 'next_writeback_at'], name='pitch_writeback_idx')],
                    'constraints': [models.UniqueConstraint(fields=('pipeline', 'salesforce_id'), name='pitch_unique_per_pipeline')],
                },
            ),
        ]),
    ]
