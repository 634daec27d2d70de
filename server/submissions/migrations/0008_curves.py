from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0006_sealed_runs"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="curves",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
