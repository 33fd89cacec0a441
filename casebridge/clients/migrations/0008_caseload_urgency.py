"""The caseload sorts by urgency: each client row keeps when its next contact is due and whether
a safety concern is open, with indexes that read a whole team's caseload in that order. The
latest attempt to reach the client is kept beside the last contact."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.db.models import Case, DateTimeField, Exists, F, OuterRef, Value, When
from django.db.models.functions import Cast, Coalesce


def work_out_caseload_facts(apps, schema_editor):
    """The same rule as casebridge.clients.contact_due, written out here so this migration
    keeps meaning what it meant when it landed."""
    Client = apps.get_model("clients", "Client")
    ClientFlag = apps.get_model("clients", "ClientFlag")
    ProgramModelRule = apps.get_model("accounts", "ProgramModelRule")
    since = Coalesce(F("last_contact_at"), F("registered_at"))
    branches = [
        When(
            program_id=rule.program_id,
            case_management_model=rule.model,
            then=since + timedelta(days=rule.contact_every_days),
        )
        for rule in ProgramModelRule.objects.all()
    ]
    Client.objects.update(
        next_contact_due_at=Case(
            When(stage="conclusion", then=Cast(Value(None), DateTimeField())),
            *branches,
            default=Cast(Value(None), DateTimeField()),
            output_field=DateTimeField(),
        ),
        has_open_safety_flag=Exists(
            ClientFlag.objects.filter(client=OuterRef("pk"), kind="safety", cleared_at=None)
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_staff_changes_need_a_second_person"),
        ("clients", "0007_timeline_entry_needs_action"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="client",
            name="last_attempt_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="client",
            name="has_open_safety_flag",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="client",
            name="next_contact_due_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(
                fields=[
                    "organisation",
                    "-has_open_safety_flag",
                    "next_contact_due_at",
                    "legal_last_name",
                    "legal_first_name",
                    "id",
                ],
                name="caseload_by_urgency",
            ),
        ),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(
                fields=[
                    "organisation",
                    "next_contact_due_at",
                    "legal_last_name",
                    "legal_first_name",
                    "id",
                ],
                name="caseload_by_next_due",
            ),
        ),
        migrations.RunPython(work_out_caseload_facts, migrations.RunPython.noop),
    ]
