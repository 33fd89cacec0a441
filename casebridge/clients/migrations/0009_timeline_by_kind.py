"""The timeline filtered to one kind is read through an index on the client, kind and time."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0008_caseload_urgency"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="timelineentry",
            index=models.Index(fields=["client", "kind", "-at"], name="timeline_by_kind"),
        ),
    ]
