"""Safety plans (the Stanley-Brown structure) with their signatures, the on-call roster of each
program, after-hours contacts, and each time an on-call worker opened a client's safety plan.

Each plan section is a short list kept as text, one line per item: the client writes lines, not
essays, and the printed page lists them as they were said.
"""

from django.conf import settings
from django.db import models

from casebridge.safety.statuses import SafetyPlanStatus

CRISIS_LINE_988 = "988 Suicide & Crisis Lifeline — call or text 988"
SECTION_LIMIT = 2000  # what a section prints in, one line per item (inputs.LONG_TEXT)
LINE_LIMIT = 200  # one item of a section (inputs.SHORT_TEXT)
NOTE_LIMIT = 2000
MAX_SHIFT_HOURS = 7 * 24  # a week on call is the longest rota programs run


class TimelineKind(models.TextChoices):
    """What this app puts on a client's timeline (apps.py says who sees each)."""

    SAFETY_PLAN = "safety_plan", "Safety plan"
    ON_CALL = "on_call", "On-call access"
    AFTER_HOURS = "after_hours", "After-hours contact"


# The seven steps of the Stanley-Brown Safety Planning Intervention, in its order, with the
# wording staff and the client see. (Stanley B, Brown GK. Cognitive and Behavioral Practice,
# 2012; 19(2): 256-264.)
SECTIONS: list[tuple[str, str, str]] = [
    (
        "warning_signs",
        "Warning signs",
        "Thoughts, images, moods, situations or behaviours that tell me a crisis may be coming.",
    ),
    (
        "coping_steps",
        "Things I can do on my own",
        "Ways to take my mind off my problems without contacting anyone (relaxation, exercise).",
    ),
    (
        "distractions",
        "People and places that take my mind off things",
        "People I can be with and social places I can go, with a phone number where there is one.",
    ),
    (
        "help_contacts",
        "People I can ask for help",
        "Family members or friends I can tell that I am in crisis, with their phone numbers.",
    ),
    (
        "professionals",
        "Professionals and crisis lines",
        "Clinicians, agencies and crisis lines I can call, with their numbers (988 is always here).",
    ),
    (
        "safe_environment",
        "Making my surroundings safe",
        "What I and the people around me will do to keep means of harm (medicines, weapons, "
        "drugs) away while I am in crisis.",
    ),
    (
        "reasons_for_living",
        "My reasons for living",
        "In my own words: what matters most to me and is worth living for.",
    ),
]
SECTION_NAMES = [name for name, _, _ in SECTIONS]


class SafetyPlan(models.Model):
    """One version of a client's crisis and safety plan."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="safety_plans"
    )
    sequence = models.PositiveIntegerField()  # "Version 1, 2, 3" of this client's safety plan
    status = models.CharField(
        max_length=10, choices=SafetyPlanStatus.choices, default=SafetyPlanStatus.DRAFT
    )
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    warning_signs = models.TextField(blank=True, max_length=SECTION_LIMIT)
    coping_steps = models.TextField(blank=True, max_length=SECTION_LIMIT)
    distractions = models.TextField(blank=True, max_length=SECTION_LIMIT)
    help_contacts = models.TextField(blank=True, max_length=SECTION_LIMIT)
    professionals = models.TextField(blank=True, max_length=SECTION_LIMIT, default=CRISIS_LINE_988)
    safe_environment = models.TextField(blank=True, max_length=SECTION_LIMIT)
    reasons_for_living = models.TextField(blank=True, max_length=SECTION_LIMIT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    locked_at = models.DateTimeField(null=True, blank=True)  # the first signature fixes the text
    activated_at = models.DateTimeField(null=True, blank=True)
    replaced_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # optimistic lock for drafts

    class Meta:
        ordering = ["-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "sequence"], name="one_safety_plan_per_sequence"
            ),
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(status="active"),
                name="one_safety_plan_in_effect_per_client",
            ),
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(status="draft"),
                name="one_safety_plan_draft_per_client",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="active") | models.Q(activated_at__isnull=False),
                name="safety_plan_in_effect_has_activation",
            ),
        ]
        indexes = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return f"Safety plan version {self.sequence}"

    @property
    def is_locked(self) -> bool:
        return self.status != SafetyPlanStatus.DRAFT or self.locked_at is not None

    def lines(self, section: str) -> list[str]:
        """A section's items, one per line, blank lines left out."""
        text: str = getattr(self, section)
        return [line.strip() for line in text.splitlines() if line.strip()]

    def sections(self) -> list[tuple[str, str, list[str]]]:
        """(name, heading, items) for each of the seven sections, in the plan's order."""
        return [(name, heading, self.lines(name)) for name, heading, _ in SECTIONS]


class SignerRole(models.TextChoices):
    CLIENT = "client", "Client"
    STAFF = "staff", "Staff member"


class SignatureMethod(models.TextChoices):
    ON_SCREEN = "on_screen", "Signed on screen"
    VERBAL = "verbal", "Agreed verbally, with a witness"
    SIGNED_IN = "signed_in", "Signed while signed in"


class SafetyPlanSignature(models.Model):
    plan = models.ForeignKey(SafetyPlan, on_delete=models.PROTECT, related_name="signatures")
    role = models.CharField(max_length=10, choices=SignerRole.choices)
    method = models.CharField(max_length=10, choices=SignatureMethod.choices)
    name = models.CharField(max_length=200)
    image = models.TextField(blank=True)  # a PNG data URL drawn on screen
    witness_name = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "role"], name="one_safety_plan_signature_per_role"
            ),
            models.CheckConstraint(
                condition=~models.Q(method="verbal") | ~models.Q(witness_name=""),
                name="safety_plan_verbal_agreement_has_witness",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} signature"


class OnCallShift(models.Model):
    """Who is on call for a program from when to when, and what they hand over to the next."""

    program = models.ForeignKey(
        "accounts.Program", on_delete=models.PROTECT, related_name="on_call_shifts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="on_call_shifts"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    handover_note = models.TextField(blank=True, max_length=NOTE_LIMIT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="on_call_shift_ends_after_it_starts",
            )
        ]
        indexes = [
            # Who is on call now and next in a program; whether a person is on call now.
            models.Index(fields=["program", "ends_at"]),
            models.Index(fields=["user", "ends_at"]),
        ]

    def __str__(self) -> str:
        return f"On call {self.starts_at:%Y-%m-%d %H:%M} to {self.ends_at:%Y-%m-%d %H:%M}"


class AfterHoursContact(models.Model):
    """A call or message the on-call worker took out of hours, and what they did about it."""

    program = models.ForeignKey(
        "accounts.Program", on_delete=models.PROTECT, related_name="after_hours_contacts"
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("when")
    caller = models.CharField(max_length=LINE_LIMIT)  # "the client", "their mother"
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="after_hours_contacts",
    )
    what_happened = models.TextField(max_length=NOTE_LIMIT)
    what_was_done = models.TextField(max_length=NOTE_LIMIT)
    follow_up_needed = models.BooleanField(default=False)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["program", "-at"]),
            models.Index(fields=["client", "-at"]),
        ]

    def __str__(self) -> str:
        return f"After-hours contact {self.pk}"


class OnCallOpening(models.Model):
    """An on-call worker opened a client's safety plan and recent contacts during a shift. Kept
    beside the audit row so the case manager's morning list is one indexed query."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    shift = models.ForeignKey(OnCallShift, on_delete=models.PROTECT, related_name="openings")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["client", "-opened_at"])]

    def __str__(self) -> str:
        return f"On-call opening {self.pk}"
