from django.db import migrations


class Migration(migrations.Migration):
    """Joins two migrations made side by side (the warning's field and the curves)."""

    dependencies = [
        ("submissions", "0007_warned_of"),
        ("submissions", "0008_curves"),
    ]

    operations: list[migrations.operations.base.Operation] = []
