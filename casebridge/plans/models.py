"""Care plans: versions, their problems, goals, objectives and interventions, signatures,
reviews, the tasks interventions turn into, and each program's planning rules.

Every version is a full copy. Elements carried from one version to the next keep their `key`,
so versions can be compared element by element and a goal's progress can be followed across
versions.
"""

import uuid

from django.conf import settings
from django.db import models

from casebridge.plans.statuses import PlanStatus


class TimelineKind(models.TextChoices):
    """What care plans put on a client's timeline: plan content is clinical."""

    PLAN = "plan", "Care plan"


class PlanRules(models.Model):
    """How often a program reviews plans and whether a supervisor must co-sign them."""

    program = models.OneToOneField(
        "accounts.Program", on_delete=models.CASCADE, related_name="plan_rules"
    )
    review_every_days = models.PositiveSmallIntegerField(default=90)
    supervisor_cosign = models.BooleanField(
        default=False,
        help_text="A supervisor must co-sign each plan version before it is in effect.",
    )

    class Meta:
        verbose_name = "plan rules"
        verbose_name_plural = "plan rules"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(review_every_days__gte=7, review_every_days__lte=365),
                name="plan_review_between_week_and_year",
            )
        ]

    def __str__(self) -> str:
        return f"Review every {self.review_every_days} days"


class CarePlan(models.Model):
    """One version of a client's care plan."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="plans")
    sequence = models.PositiveIntegerField()  # "Version 1, 2, 3" of this client's plan
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    level_of_care = models.CharField(max_length=4, blank=True)
    change_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    locked_at = models.DateTimeField(null=True, blank=True)  # the first signature fixes the text
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)  # optimistic lock for drafts

    class Meta:
        ordering = ["-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["client", "sequence"], name="one_plan_per_sequence"),
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(status="active"),
                name="one_active_plan_per_client",
            ),
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(status="draft"),
                name="one_draft_plan_per_client",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="active") | models.Q(activated_at__isnull=False),
                name="active_plan_has_activation",
            ),
        ]
        indexes = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return f"Care plan version {self.sequence}"

    @property
    def is_locked(self) -> bool:
        return self.status != PlanStatus.DRAFT or self.locked_at is not None


def new_key() -> uuid.UUID:
    return uuid.uuid4()


class Problem(models.Model):
    """A need the plan addresses, in a sentence (usually from a life area rated in the assessment)."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="problems")
    key = models.UUIDField(default=new_key)
    need_domain = models.CharField(max_length=30, blank=True)
    statement = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="problem_key_once_per_plan")
        ]

    def __str__(self) -> str:
        return self.statement[:60]


class GoalTerm(models.TextChoices):
    SHORT = "short", "Short-term"
    LONG = "long", "Long-term"


class Goal(models.Model):
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="goals")
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="goals")
    key = models.UUIDField(default=new_key)
    term = models.CharField(max_length=5, choices=GoalTerm.choices, default=GoalTerm.SHORT)
    own_words = models.TextField()  # what the client wants, as the client said it
    measurable = models.TextField()  # how everyone will know it is reached
    target_date = models.DateField()
    strength = models.TextField(blank=True)  # the strength the client builds this goal on
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="goal_key_once_per_plan")
        ]

    def __str__(self) -> str:
        return self.own_words[:60]


class Objective(models.Model):
    """A step that shows progress towards a goal."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="objectives")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="objectives")
    key = models.UUIDField(default=new_key)
    text = models.TextField()
    target_date = models.DateField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="objective_key_once_per_plan")
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Responsible(models.TextChoices):
    CASE_MANAGER = "case_manager", "Case manager"
    CLIENT = "client", "The client"
    COACH = "coach", "Peer or sober coach"
    PROVIDER = "provider", "A provider or referral"
    FAMILY = "family", "Family or supporter"


class Frequency(models.TextChoices):
    ONCE = "once", "Once"
    DAILY = "daily", "Every day"
    WEEKLY = "weekly", "Every week"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "Every month"
    AS_NEEDED = "as_needed", "As needed"


# Steps the client or the family take themselves; staff check in on them rather than do them.
OWN_STEPS = frozenset({Responsible.CLIENT, Responsible.FAMILY})

# Days between tasks for each frequency that repeats; "once" and "as needed" make no repeats.
FREQUENCY_DAYS: dict[str, int] = {
    Frequency.DAILY: 1,
    Frequency.WEEKLY: 7,
    Frequency.FORTNIGHTLY: 14,
    Frequency.MONTHLY: 30,
}


class Intervention(models.Model):
    """What is done for a goal, by whom and how often."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="interventions")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="interventions")
    key = models.UUIDField(default=new_key)
    action = models.TextField()
    responsible = models.CharField(max_length=15, choices=Responsible.choices)
    provider_name = models.CharField(max_length=200, blank=True)  # a named provider or referral
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The staff member who sees the tasks on their list.",
    )
    frequency = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.ONCE)
    first_due_on = models.DateField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="intervention_key_once_per_plan")
        ]

    def __str__(self) -> str:
        return self.action[:60]

    @property
    def makes_tasks(self) -> bool:
        """Whether the plan in effect puts it on someone's list, on its schedule: the staff
        member named to keep track of it, or, for a step the client or the family take with
        nobody named, the case manager, who checks in on it."""
        if self.frequency == Frequency.AS_NEEDED:
            return False
        return self.owner_id is not None or self.responsible in OWN_STEPS


class SignerRole(models.TextChoices):
    CLIENT = "client", "Client"
    CASE_MANAGER = "case_manager", "Case manager"
    SUPERVISOR = "supervisor", "Supervisor"


class SignatureMethod(models.TextChoices):
    ON_SCREEN = "on_screen", "Signed on screen"
    VERBAL = "verbal", "Agreed verbally, with a witness"
    SIGNED_IN = "signed_in", "Signed while signed in"


class PlanSignature(models.Model):
    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="signatures")
    role = models.CharField(max_length=15, choices=SignerRole.choices)
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
            models.UniqueConstraint(fields=["plan", "role"], name="one_signature_per_role"),
            models.CheckConstraint(
                condition=~models.Q(method="verbal") | ~models.Q(witness_name=""),
                name="verbal_agreement_has_witness",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} signature"


class ReviewReason(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled review"
    LEVEL_OF_CARE = "level_of_care", "Level of care changed"
    CLIENT_ASKED = "client_asked", "The client asked"
    SETBACK = "setback", "Setback or relapse"
    OTHER = "other", "Other"


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", "Keep the plan as it is"
    REVISE = "revise", "Make a new version of the plan"
    CLOSE = "close", "Close the plan"


class PlanReview(models.Model):
    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="reviews")
    reason = models.CharField(max_length=15, choices=ReviewReason.choices)
    summary = models.TextField()
    outcome = models.CharField(max_length=10, choices=ReviewOutcome.choices)
    level_of_care = models.CharField(max_length=4, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        indexes = [models.Index(fields=["plan", "-reviewed_at"])]

    def __str__(self) -> str:
        return f"Review {self.pk}"


class Progress(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    PROGRESSING = "progressing", "Progressing"
    ACHIEVED = "achieved", "Achieved"
    REVISED = "revised", "Needs revising"
    DISCONTINUED = "discontinued", "Discontinued"


class GoalProgress(models.Model):
    """A goal's progress as rated at one review."""

    review = models.ForeignKey(PlanReview, on_delete=models.PROTECT, related_name="ratings")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="ratings")
    rating = models.CharField(max_length=15, choices=Progress.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "goal"], name="one_rating_per_goal_per_review"
            )
        ]

    def __str__(self) -> str:
        return self.get_rating_display()


class TaskStatus(models.TextChoices):
    OPEN = "open", "To do"
    DONE = "done", "Done"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "No longer needed"


class PlanTask(models.Model):
    """A piece of work an intervention asks for, on its owner's list until done or missed."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="plan_tasks"
    )
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="tasks")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=300)
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    note = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["owner", "status", "due_on"]),
            models.Index(fields=["client", "status", "due_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open") | models.Q(closed_at__isnull=False),
                name="closed_task_has_time",
            )
        ]

    def __str__(self) -> str:
        return self.title[:60]
