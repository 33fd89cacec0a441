"""Follow-up after discharge: each program's day marks (30, 90 and 180 days unless it sets
others), one follow-up row per discharge and mark, each attempt to reach the client, and the
short outcome taken when they were reached (what the outcome reports read)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

DEFAULT_DAYS = [30, 90, 180]
LONGEST_MARK = 730  # two years after leaving: the longest follow-up programs report on
MOST_MARKS = 8
NOTE_LIMIT = 500


def default_days() -> list[int]:
    return list(DEFAULT_DAYS)


def days_problem(days: object) -> str:
    """What is wrong with a list of day marks, in plain words ("" when nothing is)."""
    if not isinstance(days, list) or not days:
        return "Give at least one day mark, as a list of whole numbers such as [30, 90, 180]."
    if len(days) > MOST_MARKS:
        return f"Give at most {MOST_MARKS} day marks."
    if any(isinstance(day, bool) or not isinstance(day, int) for day in days):
        return "Each day mark is a whole number of days after discharge."
    if any(not 1 <= day <= LONGEST_MARK for day in days):
        return f"Each day mark is between 1 and {LONGEST_MARK} days after discharge."
    if len(set(days)) != len(days):
        return "Give each day mark once."
    return ""


class TimelineKind(models.TextChoices):
    """What this app puts on a client's timeline (apps.py says who sees it)."""

    FOLLOW_UP = "follow_up", "Follow-up after discharge"


class FollowUpRules(models.Model):
    """The days after discharge at which a program follows up with a client whose care ended,
    where the program differs from 30, 90 and 180 days."""

    program = models.OneToOneField(
        "accounts.Program", on_delete=models.CASCADE, related_name="follow_up_rules"
    )
    days = models.JSONField(
        "days after discharge",
        default=default_days,
        help_text="Whole numbers of days after the client leaves care, for example [30, 90, 180]. "
        "A change applies to discharges from then on.",
    )

    class Meta:
        verbose_name = "follow-up rules"
        verbose_name_plural = "follow-up rules"

    def __str__(self) -> str:
        return f"Follow-up rules of {self.program}"

    def clean(self) -> None:
        problem = days_problem(self.days)
        if problem:
            raise ValidationError({"days": problem})
        self.days = sorted(self.days)


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "To do"
    REACHED = "reached", "Reached"
    DECLINED = "declined", "Declined follow-up"
    BACK_IN_CARE = "back_in_care", "Closed: back in care"


class FollowUp(models.Model):
    """One follow-up of one discharge that ended care, at one day mark."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(
        "transitions.Episode", on_delete=models.PROTECT, related_name="follow_ups"
    )
    # The program whose rules set the marks (the client's program when care ended).
    program = models.ForeignKey(
        "accounts.Program", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    day_mark = models.PositiveSmallIntegerField("days after discharge")
    discharged_on = models.DateField("left care on")
    due_on = models.DateField("due on")
    status = models.CharField(
        max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # The admission that closed a follow-up not yet due as "back in care".
    closed_by_episode = models.ForeignKey(
        "transitions.Episode", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            # The due lists: open follow-ups by due day, for everyone and for one client.
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["client", "due_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "day_mark"], name="one_follow_up_per_episode_and_mark"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=FollowUpStatus.values),
                name="follow_up_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(day_mark__gte=1, day_mark__lte=LONGEST_MARK),
                name="follow_up_mark_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open") | models.Q(closed_at__isnull=False),
                name="closed_follow_up_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Follow-up at {self.day_mark} days"

    @property
    def is_open(self) -> bool:
        return self.status == FollowUpStatus.OPEN


class AttemptResult(models.TextChoices):
    REACHED = "reached", "Reached"
    NO_ANSWER = "no_answer", "No answer"
    WRONG_NUMBER = "wrong_number", "Wrong number"
    DECLINED = "declined", "Declined"


class FollowUpAttempt(models.Model):
    """One try to reach the client for a follow-up: how it went, a note, who and when."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.PROTECT, related_name="attempts")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    result = models.CharField(max_length=12, choices=AttemptResult.choices)
    note = models.CharField(max_length=NOTE_LIMIT, blank=True)
    attempted_at = models.DateTimeField("when")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["attempted_at", "id"]
        indexes = [models.Index(fields=["follow_up", "result"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(result__in=AttemptResult.values),
                name="follow_up_attempt_result_known",
            )
        ]

    def __str__(self) -> str:
        return f"Follow-up attempt {self.pk}"


class UseSinceDischarge(models.TextChoices):
    NONE = "none", "None"
    SOME = "some", "Some"
    REGULAR = "regular", "Regular"
    NOT_SAID = "not_said", "Prefers not to say"


class Housing(models.TextChoices):
    STABLE = "stable", "Stable"
    UNSTABLE = "unstable", "Unstable"
    HOMELESS = "homeless", "Homeless"


class YesNo(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"


class Legal(models.TextChoices):
    NONE = "none", "None"
    NEW = "new", "New"
    ONGOING = "ongoing", "Ongoing"


class Support(models.TextChoices):
    YES = "yes", "Yes"
    SOME = "some", "Some"
    NO = "no", "No"


# The outcome's questions in the order they are asked, with the wording staff see.
QUESTIONS: list[tuple[str, str, type[models.TextChoices]]] = [
    ("use_since_discharge", "Alcohol or drug use since leaving care", UseSinceDischarge),
    ("housing", "Housing", Housing),
    ("work_or_school", "Working or in school", YesNo),
    ("legal", "Involvement with the law", Legal),
    ("social_support", "People to turn to for support", Support),
    ("in_treatment", "In treatment now", YesNo),
]
QUESTION_NAMES = [name for name, _, _ in QUESTIONS]


class FollowUpOutcome(models.Model):
    """How the client was doing when reached at a follow-up (clinical: read_clinical)."""

    follow_up = models.OneToOneField(FollowUp, on_delete=models.PROTECT, related_name="outcome")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    use_since_discharge = models.CharField(max_length=10, choices=UseSinceDischarge.choices)
    housing = models.CharField(max_length=10, choices=Housing.choices)
    work_or_school = models.CharField(max_length=3, choices=YesNo.choices)
    legal = models.CharField(max_length=10, choices=Legal.choices)
    social_support = models.CharField(max_length=4, choices=Support.choices)
    in_treatment = models.CharField(max_length=3, choices=YesNo.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["client"])]

    def __str__(self) -> str:
        return f"Follow-up outcome {self.pk}"

    def answers(self) -> list[tuple[str, str]]:
        """(question, answer) in the order they are asked."""
        return [
            (label, str(dict(choices.choices).get(getattr(self, name), "")))
            for name, label, choices in QUESTIONS
        ]
