"""Drug screens and their results per substance, mutual-help meetings attended and medications
(medications for opioid and alcohol use disorder among them)."""

from datetime import date

from django.conf import settings
from django.db import models

from casebridge.inputs import LONG_TEXT


class RecoveryTimelineKind(models.TextChoices):
    """What the Recovery tab puts on a client's timeline (see apps.py for who sees each)."""

    SCREEN = "screen", "Drug screen"
    MEETING = "meeting", "Mutual-help meeting"
    MEDICATION = "medication", "Medication"
    COACH_SHARING = "coach_sharing", "Shared with the coach"


# Drug screens


class ScreenStatus(models.TextChoices):
    TESTED = "tested", "Tested"
    REFUSED = "refused", "Refused"
    MISSED = "missed", "Missed (did not come)"


class Specimen(models.TextChoices):
    URINE = "urine", "Urine"
    ORAL_FLUID = "oral_fluid", "Oral fluid (saliva)"
    BREATH = "breath", "Breath"
    BLOOD = "blood", "Blood"
    SWEAT_PATCH = "sweat_patch", "Sweat patch"


class ScreenMethod(models.TextChoices):
    POINT_OF_CARE = "point_of_care", "Point of care (instant cup, strip or breathalyser)"
    LAB = "lab", "Laboratory"


class SpecimenProblem(models.TextChoices):
    DILUTE = "dilute", "Dilute"
    INVALID = "invalid", "Invalid"
    ADULTERATED = "adulterated", "Adulterated or substituted"


class SubstanceResult(models.TextChoices):
    NEGATIVE = "negative", "Negative"
    POSITIVE = "positive", "Positive"
    NOT_TESTED = "not_tested", "Not tested"


class Confirmation(models.TextChoices):
    """A laboratory's confirmation of a positive (GC-MS or LC-MS/MS); it overrides the result
    of the screen itself."""

    POSITIVE = "positive", "Confirmed positive"
    NEGATIVE = "negative", "Negative on confirmation"


class ScreenOutcome(models.TextChoices):
    """What one screen amounts to, kept on the screen so the strip and lists read it directly."""

    NEGATIVE = "negative", "Negative"
    EXPECTED = "expected", "Positive only for prescribed medication"
    POSITIVE = "positive", "Unexpected positive"
    INVALID = "invalid", "Invalid or adulterated"
    NO_RESULT = "no_result", "No result"
    REFUSED = "refused", "Refused"
    MISSED = "missed", "Missed"


class DrugScreen(models.Model):
    """One drug screen: collected (with a result per substance of its panel), refused or missed."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="drug_screens"
    )
    collected_on = models.DateField("date")
    status = models.CharField(max_length=10, choices=ScreenStatus.choices)
    specimen = models.CharField(max_length=20, choices=Specimen.choices, blank=True)
    observed = models.BooleanField("observed collection", default=False)
    method = models.CharField(
        "lab or point of care", max_length=20, choices=ScreenMethod.choices, blank=True
    )
    custody_id = models.CharField("chain-of-custody id", max_length=60, blank=True)
    # The panel's code in monitoring/panels.json, or "" for a panel given substance by substance.
    panel = models.CharField(max_length=40, blank=True)
    # Substance codes the client takes on prescription, so a positive for them is expected.
    expected = models.JSONField(default=list, blank=True)
    problems = models.JSONField("specimen problems", default=list, blank=True)
    outcome = models.CharField(max_length=20, choices=ScreenOutcome.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-collected_on", "-id"]
        indexes = [models.Index(fields=["client", "-collected_on"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="tested") | ~models.Q(specimen=""),
                name="tested_screen_has_specimen",
            ),
            models.CheckConstraint(
                condition=models.Q(status="tested") | models.Q(outcome=models.F("status")),
                name="refused_or_missed_screen_is_its_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"Drug screen {self.pk}"


class ScreenResult(models.Model):
    """The result for one substance of a screen's panel, and the lab's confirmation of it."""

    screen = models.ForeignKey(DrugScreen, on_delete=models.CASCADE, related_name="results")
    substance = models.CharField(max_length=40)  # a code in monitoring/panels.json
    result = models.CharField(max_length=20, choices=SubstanceResult.choices)
    confirmation = models.CharField(max_length=10, choices=Confirmation.choices, blank=True)
    # Kept per row (from the screen's expected list) so the last use is one query for a caseload.
    expected = models.BooleanField(default=False)

    class Meta:
        ordering = ["screen", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["screen", "substance"], name="one_result_per_substance"
            ),
            models.CheckConstraint(
                condition=models.Q(confirmation="") | models.Q(result="positive"),
                name="only_a_positive_is_confirmed",
            ),
        ]
        indexes = [
            # The last known use of a caseload: only unexpected positives are ever looked up.
            models.Index(
                fields=["screen"],
                condition=models.Q(result="positive", expected=False),
                name="screen_unexpected_positives",
            )
        ]

    def __str__(self) -> str:
        return f"{self.substance}: {self.result}"

    @property
    def final(self) -> str:
        """The result that counts: the lab's confirmation where there is one."""
        return self.confirmation or self.result


# Mutual-help and recovery meetings


class Fellowship(models.TextChoices):
    AA = "aa", "Alcoholics Anonymous (AA)"
    NA = "na", "Narcotics Anonymous (NA)"
    SMART = "smart", "SMART Recovery"
    REFUGE = "refuge", "Refuge Recovery"
    FAITH = "faith", "Celebrate Recovery or another faith-based group"
    OTHER = "other", "Other"


class Verification(models.TextChoices):
    SIGNED_SHEET = "signed_sheet", "Signed attendance sheet"
    APP = "app", "Attendance app"
    COACH = "coach", "Coach went or confirmed"
    SELF_REPORTED = "self_reported", "Self-reported"


class MeetingAttendance(models.Model):
    """A mutual-help or recovery meeting the client went to, and how that is known."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="meetings_attended"
    )
    attended_on = models.DateField("date")
    fellowship = models.CharField("kind of meeting", max_length=20, choices=Fellowship.choices)
    other_fellowship = models.CharField("which group", max_length=100, blank=True)
    meeting_name = models.CharField("meeting", max_length=200, blank=True)
    verification = models.CharField("how it is known", max_length=20, choices=Verification.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-attended_on", "-id"]
        indexes = [models.Index(fields=["client", "-attended_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fellowship="other") | models.Q(other_fellowship=""),
                name="group_named_only_for_other",
            )
        ]

    def __str__(self) -> str:
        return f"Meeting {self.pk}"

    @property
    def fellowship_name(self) -> str:
        if self.fellowship == Fellowship.OTHER and self.other_fellowship:
            return self.other_fellowship
        return self.get_fellowship_display()


# Medications


class UseDisorderMedication(models.TextChoices):
    """Medications for opioid use disorder (MOUD) and for alcohol use disorder."""

    BUPRENORPHINE = "buprenorphine", "Buprenorphine (opioid use disorder)"
    METHADONE = "methadone", "Methadone (opioid use disorder)"
    NALTREXONE_ORAL = "naltrexone_oral", "Naltrexone, oral (opioid or alcohol use disorder)"
    NALTREXONE_XR = (
        "naltrexone_xr",
        "Naltrexone, extended-release injection (opioid or alcohol use disorder)",
    )
    ACAMPROSATE = "acamprosate", "Acamprosate (alcohol use disorder)"
    DISULFIRAM = "disulfiram", "Disulfiram (alcohol use disorder)"


# The medications for opioid use disorder: a gap between their prescriptions is a risk of
# overdose, so one ending with no next one recorded is due on the caseload.
MOUD = frozenset(
    {
        UseDisorderMedication.BUPRENORPHINE,
        UseDisorderMedication.METHADONE,
        UseDisorderMedication.NALTREXONE_ORAL,
        UseDisorderMedication.NALTREXONE_XR,
    }
)


class Medication(models.Model):
    """One prescription the client takes: a renewal is a new prescription, so the time between
    two of them shows."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="medications"
    )
    drug = models.CharField(max_length=200)
    use_disorder = models.CharField(
        "medication for a use disorder",
        max_length=20,
        choices=UseDisorderMedication.choices,
        blank=True,
    )
    dose = models.CharField(max_length=100)
    prescriber = models.CharField(max_length=200, blank=True)
    pharmacy = models.CharField("pharmacy or clinic", max_length=200, blank=True)
    started_on = models.DateField("start date")
    ends_on = models.DateField("prescription runs out", null=True, blank=True)
    stopped_on = models.DateField("stopped on", null=True, blank=True)
    stop_reason = models.CharField("why it stopped", max_length=300, blank=True)
    adherence_notes = models.TextField("adherence", max_length=LONG_TEXT, blank=True)
    # Panel substances the medication shows as on a drug screen (buprenorphine, methadone ...).
    screens_as = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-started_on", "-id"]
        indexes = [models.Index(fields=["client", "use_disorder"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("started_on")),
                name="medication_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(stopped_on__isnull=True)
                | models.Q(stopped_on__gte=models.F("started_on")),
                name="medication_stops_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(stopped_on__isnull=True, stop_reason="")
                | (models.Q(stopped_on__isnull=False) & ~models.Q(stop_reason="")),
                name="medication_stop_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Medication {self.pk}"

    @property
    def is_moud(self) -> bool:
        return self.use_disorder in MOUD

    def taken_on(self, day: date) -> bool:
        """Whether the prescription covers `day`: started, not run out, not stopped (the stop
        date is the first day without it)."""
        return (
            self.started_on <= day
            and (self.ends_on is None or day <= self.ends_on)
            and (self.stopped_on is None or day < self.stopped_on)
        )


# What the client shares with their coach


class CoachSharing(models.Model):
    """What the client agreed to share with their coach beyond coaching: drug screen results
    (with the days in recovery worked out from them) and medications. Coaching needs neither, so
    the coach sees them only while the client wants that; turning both off withdraws it."""

    client = models.OneToOneField(
        "clients.Client", on_delete=models.CASCADE, related_name="coach_sharing"
    )
    screens = models.BooleanField("drug screen results and days in recovery", default=False)
    medications = models.BooleanField("medications", default=False)
    agreed_on = models.DateField("the client agreed on", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(screens=False, medications=False)
                | models.Q(agreed_on__isnull=False),
                name="coach_sharing_has_agreement_date",
            )
        ]

    def __str__(self) -> str:
        return f"Shared with the coach of client {self.client_id}"

    @property
    def shares_anything(self) -> bool:
        return self.screens or self.medications
