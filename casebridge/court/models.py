"""Treatment courts.

A court program (an adult drug court, a DUI court) is run with one of the agency's programs:
its staff are the participants' case managers. It moves participants through numbered phases,
each with what it asks (days in the phase, days without use, tests a week, hearings, meetings,
treatment hours, work or school, community service, fees) before the team may move someone up.
A phase decision is made at a status hearing and kept with it. Each day the app draws which
testing groups test, from the court's own seed, so a draw can be worked out again and is kept
as it was first drawn.

The criminal history is not kept: only the category of the charge that brought the participant
to the court, as the court's paperwork gives it.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from casebridge.accounts.models import Organisation, Program
from casebridge.clients.models import Client, Collateral


def new_seed() -> str:
    return secrets.token_hex(32)


class CourtProgram(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="court_programs"
    )
    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        related_name="court_programs",
        help_text="The agency's program whose staff serve the court's participants.",
    )
    name = models.CharField(max_length=120, help_text="For example: Adult Drug Court.")
    court_name = models.CharField("court", max_length=200, help_text="The court and courtroom.")
    judge_name = models.CharField("presiding judge", max_length=200, blank=True)
    # Secret: with the day, it decides which groups test (services.draw). Never shown.
    draw_seed = models.CharField(max_length=64, default=new_seed, editable=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="court_program_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Phase(models.Model):
    """One phase and what moving up from it asks. Zero means the phase does not ask for it."""

    court_program = models.ForeignKey(CourtProgram, on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    name = models.CharField(max_length=100, help_text="For example: Stabilisation.")
    min_days = models.PositiveSmallIntegerField(
        "days in the phase at least", default=0, validators=[MaxValueValidator(1000)]
    )
    days_without_use = models.PositiveSmallIntegerField(
        "days without use in a row",
        default=0,
        validators=[MaxValueValidator(1000)],
        help_text="Counted from the sobriety date the recovery record shows.",
    )
    tests_per_week = models.PositiveSmallIntegerField(
        "random tests a week", default=2, validators=[MaxValueValidator(7)]
    )
    hearing_every_days = models.PositiveSmallIntegerField(
        "a status hearing every (days)", default=14, validators=[MaxValueValidator(366)]
    )
    meetings_per_week = models.PositiveSmallIntegerField(
        "mutual-help meetings a week", default=0, validators=[MaxValueValidator(21)]
    )
    treatment_hours_per_week = models.PositiveSmallIntegerField(
        "treatment hours a week", default=0, validators=[MaxValueValidator(60)]
    )
    work_or_school = models.BooleanField("work or school", default=False)
    community_service_hours = models.PositiveSmallIntegerField(
        "community service hours", default=0, validators=[MaxValueValidator(1000)]
    )
    fees_paid = models.BooleanField("fees paid up", default=False)

    class Meta:
        ordering = ["court_program", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["court_program", "number"], name="court_phase_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Phase {self.number}: {self.name}"


class TestingGroup(models.Model):
    """A colour the call-in line names. Its participants test on the days drawn for it, as often
    as its phase asks."""

    court_program = models.ForeignKey(
        CourtProgram, on_delete=models.CASCADE, related_name="testing_groups"
    )
    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="testing_groups")
    colour = models.CharField(max_length=30, help_text="For example: Blue.")

    class Meta:
        ordering = ["court_program", "phase__number", "colour"]
        constraints = [
            models.UniqueConstraint(
                fields=["court_program", "colour"], name="court_group_colour_unique"
            )
        ]

    def __str__(self) -> str:
        return self.colour

    def clean(self) -> None:
        if (
            self.phase_id
            and self.court_program_id
            and self.phase.court_program_id != self.court_program_id
        ):
            raise ValidationError({"phase": "Choose one of this court's phases."})


class ChargeCategory(models.TextChoices):
    POSSESSION = "possession", "Drug possession"
    SALES = "sales", "Drug sales or distribution"
    DUI = "dui", "Driving under the influence"
    PROPERTY = "property", "Property offence"
    PROBATION = "probation", "Probation or parole violation"
    OTHER = "other", "Other non-violent offence"


class Track(models.TextChoices):
    PRE_PLEA = "pre_plea", "Before a plea (diversion)"
    POST_PLEA = "post_plea", "After a plea"
    PROBATION = "probation", "As a condition of probation"
    REENTRY = "reentry", "Re-entry after custody"


class ParticipantStatus(models.TextChoices):
    ACTIVE = "active", "Taking part"
    GRADUATED = "graduated", "Graduated"
    TERMINATED = "terminated", "Terminated"
    WITHDRAWN = "withdrawn", "Withdrew"


class Seat(models.TextChoices):
    JUDGE = "judge", "Judge"
    PROSECUTOR = "prosecutor", "Prosecutor"
    DEFENCE = "defence_attorney", "Defence attorney"
    PROBATION = "supervising_officer", "Probation or parole officer"


class CourtTeamMember(models.Model):
    """A court team member's read-only account, in one seat of one court. They read the
    participants the case manager names them for, and only what each consented to share with
    them (court.team)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="court_seat",
        limit_choices_to={"role": "court_team"},
        help_text="An account with the role 'Court team member (read only)'.",
    )
    court_program = models.ForeignKey(
        CourtProgram, on_delete=models.CASCADE, related_name="team_members"
    )
    # The seat is the participant's contact a consent names: a member reads a participant when a
    # consent covers that contact (or, for the judge, the court by its name).
    seat = models.CharField(max_length=20, choices=Seat.choices)
    agency_name = models.CharField(
        "office",
        max_length=200,
        blank=True,
        help_text="The office the member works for, as consents name it (for example: County "
        "Public Defender).",
    )

    class Meta:
        ordering = ["court_program", "seat", "user__last_name"]

    def __str__(self) -> str:
        return f"{self.get_seat_display()}, {self.court_program}"


class Participant(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="court_records")
    court_program = models.ForeignKey(
        CourtProgram, on_delete=models.PROTECT, related_name="participants"
    )
    docket_number = models.CharField(max_length=60)
    charge_category = models.CharField(max_length=20, choices=ChargeCategory.choices)
    track = models.CharField(max_length=20, choices=Track.choices)
    entered_on = models.DateField("date of entry")
    expected_graduation_on = models.DateField("expected graduation", null=True, blank=True)
    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="participants")
    phase_started_on = models.DateField()
    testing_group = models.ForeignKey(
        TestingGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participants",
    )
    # The court team, as contacts on the client's record (a consent names them to share).
    judge = models.ForeignKey(
        Collateral, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    defence_attorney = models.ForeignKey(
        Collateral, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    prosecutor = models.ForeignKey(
        Collateral, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    supervising_officer = models.ForeignKey(
        Collateral,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The probation or parole officer.",
    )
    # The court team accounts that read this participant's shared record.
    team_accounts = models.ManyToManyField(CourtTeamMember, blank=True, related_name="participants")
    status = models.CharField(
        max_length=20, choices=ParticipantStatus.choices, default=ParticipantStatus.ACTIVE
    )
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    # The hearing that decided graduation or termination (a withdrawal needs none).
    end_hearing = models.ForeignKey(
        "Hearing", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Days without use on the day the participation ended: a court measure at graduation.
    days_without_use_at_end = models.PositiveIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-entered_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(status="active"),
                name="court_one_active_participation",
            ),
            models.UniqueConstraint(
                fields=["court_program", "docket_number"],
                condition=Q(status="active"),
                name="court_docket_unique_while_active",
            ),
        ]

    def __str__(self) -> str:
        return f"Docket {self.docket_number}"


class Hearing(models.Model):
    """A status hearing of the court's calendar."""

    court_program = models.ForeignKey(
        CourtProgram, on_delete=models.PROTECT, related_name="hearings"
    )
    held_on = models.DateField("date")
    starts_at = models.TimeField("time", null=True, blank=True)
    courtroom = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_on", "starts_at", "id"]
        indexes = [models.Index(fields=["court_program", "held_on"])]

    def __str__(self) -> str:
        return f"Hearing of {self.held_on:%b %-d, %Y}"


class PhaseChange(models.Model):
    """A phase decision, made at a hearing: whether the record met the phase's criteria, and
    the team's reason when it moved someone up without."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="phase_changes"
    )
    from_phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="+")
    to_phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="+")
    hearing = models.ForeignKey(Hearing, on_delete=models.PROTECT, related_name="phase_changes")
    criteria_met = models.BooleanField()
    override_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "id"]


class DailyDraw(models.Model):
    """Which groups test on a day, as first drawn: kept, never drawn again."""

    court_program = models.ForeignKey(CourtProgram, on_delete=models.PROTECT, related_name="draws")
    day = models.DateField()
    colours = models.JSONField(default=list)
    message = models.TextField()
    drawn_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["court_program", "day"], name="court_one_draw_a_day")
        ]


class ResponseKind(models.TextChoices):
    INCENTIVE = "incentive", "Incentive"
    SANCTION = "sanction", "Sanction"
    SERVICE = "service", "Change to treatment or services"


class Behaviour(models.Model):
    """A behaviour the court responds to: steady work (positive) or a missed test (negative)."""

    court_program = models.ForeignKey(
        CourtProgram, on_delete=models.CASCADE, related_name="behaviours"
    )
    name = models.CharField(max_length=120, help_text="For example: Missed a drug test.")
    positive = models.BooleanField(
        "a step forward", default=False, help_text="Tick for behaviour the court rewards."
    )

    class Meta:
        ordering = ["court_program", "-positive", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["court_program", "name"], name="court_behaviour_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ScheduledResponse(models.Model):
    """One step of the court's graduated responses to a behaviour. The first time in a phase is
    step 1, the next step 2, and so on (the last step repeats). A step may differ by phase: the
    row with the highest `from_phase` at or below the participant's phase applies, so use in the
    early phases can meet a treatment response and a sanction only later."""

    behaviour = models.ForeignKey(Behaviour, on_delete=models.CASCADE, related_name="steps")
    step = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    from_phase = models.PositiveSmallIntegerField(
        "from phase", default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    kind = models.CharField(max_length=10, choices=ResponseKind.choices)
    description = models.CharField(
        max_length=200, help_text="For example: Praise from the judge and a gift card."
    )

    class Meta:
        ordering = ["behaviour", "step", "from_phase"]
        constraints = [
            models.UniqueConstraint(
                fields=["behaviour", "step", "from_phase"], name="court_one_response_a_step"
            )
        ]

    def __str__(self) -> str:
        return f"Step {self.step}: {self.description}"


class CourtResponse(models.Model):
    """An incentive, sanction or change to services the judge gave at a hearing."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="responses")
    hearing = models.ForeignKey(Hearing, on_delete=models.PROTECT, related_name="responses")
    behaviour = models.ForeignKey(Behaviour, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=ResponseKind.choices)
    description = models.CharField(max_length=200)
    followed_schedule = models.BooleanField(default=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["hearing__held_on", "id"]


class StaffingNote(models.Model):
    """The case manager's recommendation to the court team for one participant at one hearing."""

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="staffing_notes")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="staffing_notes"
    )
    recommendation = models.TextField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["hearing", "participant"], name="court_one_note_a_hearing"
            )
        ]


class ObligationKind(models.TextChoices):
    CALL_IN = "call_in", "Call-in"
    TEST = "test", "Drug test on a drawn day"


class Obligation(models.Model):
    """A participant's call to the testing line on a day, or the test their colour was drawn
    for: kept when recorded, missed when the day's check found neither (a missed obligation,
    which raises an alert)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="obligations"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    kind = models.CharField(max_length=10, choices=ObligationKind.choices)
    kept = models.BooleanField()
    # None: found missed by the day's check, not typed by anyone.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "kind"]
        indexes = [models.Index(fields=["client", "-day"])]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "day", "kind"], name="court_one_obligation_a_day"
            )
        ]
