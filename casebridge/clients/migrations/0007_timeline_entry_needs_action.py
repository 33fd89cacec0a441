"""Each timeline entry carries the action a viewer needs to see it; kinds become registered by
the capabilities that write them, so no later capability needs a migration here."""

from django.db import migrations, models

CLINICAL_KINDS = ["measure", "assessment", "plan", "flag", "access"]
DISCLOSURE_PREFIXES = ["Information shared with", "Emergency disclosure to"]


def mark_existing_entries(apps, schema_editor):
    TimelineEntry = apps.get_model("clients", "TimelineEntry")
    TimelineEntry.objects.filter(kind__in=CLINICAL_KINDS).update(needs_action="read_clinical")
    for prefix in DISCLOSURE_PREFIXES:
        TimelineEntry.objects.filter(kind="consent", summary__startswith=prefix).update(
            kind="disclosure", needs_action="disclose"
        )


def unmark_disclosures(apps, schema_editor):
    TimelineEntry = apps.get_model("clients", "TimelineEntry")
    TimelineEntry.objects.filter(kind="disclosure").update(kind="consent")


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0006_alter_timelineentry_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="timelineentry",
            name="needs_action",
            field=models.CharField(default="view", max_length=30),
        ),
        migrations.AlterField(
            model_name="timelineentry",
            name="kind",
            field=models.CharField(max_length=40),
        ),
        migrations.RunPython(mark_existing_entries, unmark_disclosures),
    ]
