from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('submissions', '0006_sealed_runs'),
    ]

    operations = [
        migrations.AddField(
            model_name='submission',
            name='warned_of',
            field=models.CharField(blank=True, max_length=8),
        ),
    ]
