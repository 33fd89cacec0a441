"""Contact notes, their addenda, coaching sessions, check-ins and the program settings for them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from casebridge.accounts.models import CaseManagementModel
from casebridge.monitoring.formats import DEFAULT_FORMAT, all_formats
from casebridge.monitoring.statuses import NoteStatus

MAX_DURATION_MINUTES = 720  # twelve hours: an accompaniment to court can take a whole day


class TimelineKind(models.TextChoices):
    """What monitoring puts on a client's timeline (see apps.py for who sees each)."""

    CONTACT = "contact", "Contact"
    CHECK_IN = "check_in", "Check-in"
    COACHING = "coaching", "Coaching session"


class ContactType(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face-to-face"
    PHONE = "phone", "Phone call"
    VIDEO = "video", "Video call"
    TEXT = "text", "Text or message"
    COLLATERAL = "collateral", "Collateral contact (family, provider, court)"
    VISIT = "visit", "Home or community visit"
    ACCOMPANIMENT = "accompaniment", "Accompaniment to an appointment"
    ATTEMPTED = "attempted", "Attempted, not reached"


class ContactNoteRules(models.Model):
    """How a program writes contact notes: the format, when a note counts as a late entry, and
    whether a supervisor co-signs notes written by others."""

    program = models.OneToOneField(
        "accounts.Program", on_delete=models.CASCADE, related_name="contact_note_rules"
    )
    note_format = models.CharField(
        max_length=20,
        default=DEFAULT_FORMAT,
        help_text="The sections every contact note has (DAP, SOAP, GIRP, BIRP or free text).",
    )
    late_after_days = models.PositiveSmallIntegerField(
        default=3,
        help_text="A note signed more than this many days after the contact is a late entry.",
    )
    supervisor_cosign = models.BooleanField(
        default=False,
        help_text="Notes written by anyone but a supervisor wait for a supervisor's co-signature.",
    )

    class Meta:
        verbose_name = "contact note rules"
        verbose_name_plural = "contact note rules"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(late_after_days__lte=60), name="late_entry_within_sixty_days"
            )
        ]

    def __str__(self) -> str:
        return f"{self.program}: contact notes"

    def clean(self) -> None:
        if self.note_format not in all_formats():
            raise ValidationError({"note_format": "Choose one of the note formats."})


class ContactStandard(models.Model):
    """Which contact types count towards a program's contact rule under one model of case
    management, where the program differs from the defaults (monitoring.standards)."""

    program = models.ForeignKey(
        "accounts.Program", on_delete=models.CASCADE, related_name="contact_standards"
    )
    model = models.CharField(max_length=20, choices=CaseManagementModel.choices)
    counting_types = models.JSONField(
        default=list, help_text="The contact types that count as a contact under this model."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "model"], name="one_standard_per_model")
        ]

    def __str__(self) -> str:
        return f"{self.program} / {self.get_model_display()}"

    def clean(self) -> None:
        known = set(ContactType.values)
        if not isinstance(self.counting_types, list) or not set(self.counting_types) <= known:
            raise ValidationError({"counting_types": "Choose contact types from the list."})


class ContactNote(models.Model):
    """One contact with or about the client, and the note of it in the program's format."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="contact_notes"
    )
    contact_at = models.DateTimeField("date and time of contact")
    contact_type = models.CharField(max_length=20, choices=ContactType.choices)
    duration_minutes = models.PositiveSmallIntegerField("duration in minutes")
    place = models.CharField(max_length=200, blank=True)
    participants = models.CharField("who took part", max_length=300, blank=True)
    goals = models.ManyToManyField("plans.Goal", blank=True, related_name="+")
    # The plan task the contact was recorded for, if any (the plan's "task done" step).
    plan_task = models.ForeignKey(
        "plans.PlanTask", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note_format = models.CharField(max_length=20)
    sections = models.JSONField(default=dict, blank=True)  # {section key: text}
    status = models.CharField(max_length=20, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    late_entry = models.BooleanField(default=False)
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cosigned_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-contact_at", "-id"]
        indexes = [
            # Last contact and last attempt: the newest recorded note of some types.
            models.Index(fields=["client", "status", "contact_type", "-contact_at"]),
            models.Index(fields=["status", "client"]),
            # Notes waiting for a supervisor's co-signature, the longest waiting first.
            models.Index(fields=["status", "signed_at"], name="contactnote_by_status_signed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    duration_minutes__gte=1, duration_minutes__lte=MAX_DURATION_MINUTES
                ),
                name="contact_duration_within_a_day",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(signed_at__isnull=False),
                name="signed_note_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="draft") | models.Q(late_entry=False),
                name="draft_is_never_late",
            ),
            models.CheckConstraint(
                condition=models.Q(cosigned_at__isnull=True)
                | models.Q(cosigned_by__isnull=False, status="signed"),
                name="cosignature_has_signer",
            ),
        ]

    def __str__(self) -> str:
        return f"Contact note {self.pk}"

    @property
    def is_locked(self) -> bool:
        return self.status != NoteStatus.DRAFT

    @property
    def excerpt(self) -> str:
        """The start of the note (its first part written), for lists."""
        return next((text for text in self.sections.values() if text), "")


class NoteAddendum(models.Model):
    """A later correction or addition to a signed note, with who wrote it and when."""

    note = models.ForeignKey(ContactNote, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["written_at", "id"]

    def __str__(self) -> str:
        return f"Addendum {self.pk}"


class CoachingKind(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video"
    TEXT = "text", "Text or message"
    ACCOMPANIMENT = "accompaniment", "Accompaniment"


class CoachingTopic(models.TextChoices):
    TRIGGERS = "triggers", "Triggers"
    CRAVINGS = "cravings", "Cravings"
    MEETINGS = "meetings", "Meetings (12-step, SMART, other groups)"
    ACCOMPANIMENT = "accompaniment", "Accompaniment"
    HOUSING = "housing", "Housing"
    WORK_SCHOOL = "work_school", "Work or school"
    FAMILY = "family", "Family"
    OTHER = "other", "Other"


class CoachingSession(models.Model):
    """A peer or sober coach's session: what it was about and the next step, no clinical
    content, so the whole team may read it."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="coaching_sessions"
    )
    session_on = models.DateField("date")
    kind = models.CharField(max_length=20, choices=CoachingKind.choices)
    duration_minutes = models.PositiveSmallIntegerField("duration in minutes")
    topics = models.JSONField(default=list)
    next_step = models.CharField("next step", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-session_on", "-id"]
        indexes = [models.Index(fields=["client", "-session_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    duration_minutes__gte=1, duration_minutes__lte=MAX_DURATION_MINUTES
                ),
                name="coaching_duration_within_a_day",
            )
        ]

    def __str__(self) -> str:
        return f"Coaching session {self.pk}"

    def topic_labels(self) -> list[str]:
        labels = dict(CoachingTopic.choices)
        return [str(labels.get(topic, topic)) for topic in self.topics]


class Sleep(models.TextChoices):
    WELL = "well", "Well"
    SOME_TROUBLE = "some_trouble", "Some trouble"
    POORLY = "poorly", "Poorly"


class CheckInSource(models.TextChoices):
    """Who entered the check-in: staff (a case manager or coach with the client) or, later, the
    client on their own."""

    STAFF = "staff", "Entered by staff"
    CLIENT = "client", "Entered by the client"


class CheckIn(models.Model):
    """How the client is doing, asked the same way each time so the answers can be followed."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="check_ins")
    checked_in_at = models.DateTimeField()
    mood = models.PositiveSmallIntegerField()  # 0 (very low) to 10 (very good)
    craving = models.PositiveSmallIntegerField()  # 0 (none) to 10 (overwhelming)
    used_since_last = models.BooleanField()
    use_detail = models.CharField(max_length=300, blank=True)
    meetings_since_last = models.PositiveSmallIntegerField(default=0)
    sleep = models.CharField(max_length=20, choices=Sleep.choices)
    stressors = models.TextField(blank=True)
    needs_help_with = models.TextField(blank=True)
    source = models.CharField(
        max_length=10, choices=CheckInSource.choices, default=CheckInSource.STAFF
    )
    # Null only when the client entered it themselves.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_in_at", "-id"]
        indexes = [models.Index(fields=["client", "-checked_in_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mood__lte=10, craving__lte=10), name="check_in_scales_0_to_10"
            ),
            models.CheckConstraint(
                condition=models.Q(used_since_last=True) | models.Q(use_detail=""),
                name="use_detail_only_with_use",
            ),
            models.CheckConstraint(
                condition=models.Q(meetings_since_last__lte=99), name="meetings_within_reason"
            ),
            models.CheckConstraint(
                condition=models.Q(source="client") | models.Q(recorded_by__isnull=False),
                name="staff_check_in_has_recorder",
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in {self.pk}"
