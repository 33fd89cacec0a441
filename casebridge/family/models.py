"""Intervention planning: a family asks for help with someone who is not in treatment (the
person of concern, not yet a client). The planning team (the agency's staff on the plan) and
the family prepare together: who takes part and what each will do on the day, education
sessions held, each participant's letter, a treatment place reserved in advance, transport, the
boundaries each will keep if the person says no, and the day and place. The outcome is kept:
accepted (the person becomes a client in Engagement, with what the plan knows carried over),
refused, or accepted later.

The family's information is protected like a client's: a plan is read by its planning team and
the supervisors of its program, and the letters by the planning team only (family.access)."""

from django.conf import settings
from django.db import models

from casebridge.accounts.models import Organisation, Program
from casebridge.clients.models import Client, Relationship
from casebridge.directory.models import Service


class Outcome(models.TextChoices):
    PLANNING = "planning", "Being planned"
    ACCEPTED = "accepted", "Accepted help"
    REFUSED = "refused", "Said no"
    ACCEPTED_LATER = "accepted_later", "Said no, then accepted later"
    CALLED_OFF = "called_off", "Called off"


# The outcomes after which the person becomes a client.
ADMITTED = frozenset({Outcome.ACCEPTED, Outcome.ACCEPTED_LATER})
# Allowed moves: the plan's outcome is decided once, except that a "no" may become a later "yes".
OUTCOME_MOVES: dict[str, frozenset[str]] = {
    Outcome.PLANNING: frozenset({Outcome.ACCEPTED, Outcome.REFUSED, Outcome.CALLED_OFF}),
    Outcome.REFUSED: frozenset({Outcome.ACCEPTED_LATER}),
    Outcome.ACCEPTED: frozenset(),
    Outcome.ACCEPTED_LATER: frozenset(),
    Outcome.CALLED_OFF: frozenset(),
}


class InterventionPlan(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        related_name="intervention_plans",
        help_text="The program that would take the person in.",
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_interventions"
    )
    # Staff on the planning team besides the lead: they read the letters.
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="intervention_teams"
    )
    # The person of concern (not a client yet).
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    concern = models.TextField(
        "what the family is worried about",
        max_length=4000,
        help_text="In the family's words: what they see, for how long, what has been tried.",
    )
    asked_by = models.CharField(
        "who asked for help", max_length=200, help_text="Name and how they are related."
    )
    # The day.
    held_at = models.DateTimeField("day and time", null=True, blank=True)
    place = models.CharField(max_length=200, blank=True)
    transport = models.TextField(
        "getting there", max_length=2000, blank=True, help_text="Who drives, and when."
    )
    if_refused = models.TextField(
        "if the answer is no",
        max_length=4000,
        blank=True,
        help_text="What the family does next; each person's own boundary is with them.",
    )
    # The treatment place reserved in advance.
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    admission_on = models.DateField("admission date", null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PLANNING)
    outcome_on = models.DateField(null=True, blank=True)
    outcome_note = models.TextField(max_length=2000, blank=True)
    client = models.OneToOneField(
        Client,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intervention_plan",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "outcome"])]

    def __str__(self) -> str:
        return f"Intervention plan {self.pk}"

    @property
    def person_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Participant(models.Model):
    """A family member or friend taking part."""

    plan = models.ForeignKey(InterventionPlan, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(max_length=120)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    phone = models.CharField(max_length=30, blank=True)
    task = models.CharField(
        "what they do on the day",
        max_length=300,
        blank=True,
        help_text="For example: speaks first; drives; looks after the children.",
    )
    boundary = models.TextField(
        "the boundary they will keep if the answer is no", max_length=2000, blank=True
    )
    # Private to the planning team: never carried into the client's record.
    letter = models.TextField("their letter", max_length=8000, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class SessionTopic(models.TextChoices):
    ADDICTION = "addiction", "What addiction is and how treatment works"
    PLAN = "plan", "How the intervention will go"
    LETTERS = "letters", "Writing the letters"
    REHEARSAL = "rehearsal", "Rehearsal"
    CRAFT = "craft", "CRAFT: encouraging treatment without confrontation"
    SELF_CARE = "self_care", "Looking after themselves (Al-Anon, Nar-Anon)"


class EducationSession(models.Model):
    plan = models.ForeignKey(InterventionPlan, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField("date")
    topic = models.CharField(max_length=20, choices=SessionTopic.choices)
    attended = models.CharField(
        "who came", max_length=300, help_text="The names of those who came."
    )
    notes = models.TextField(max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["held_on", "id"]


class ContactKind(models.TextChoices):
    SESSION = "session", "Family session"
    CALL = "call", "Phone call"
    MEETING = "meeting", "Meeting or visit"
    MESSAGE = "message", "Message or letter"


class FamilyContact(models.Model):
    """A contact with a client's family: who took part, what it was about, how it ended. What
    staff may tell each of them is the consent gate's to say (shown beside the form)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="family_contacts")
    held_on = models.DateField("date")
    kind = models.CharField(max_length=20, choices=ContactKind.choices)
    people = models.ManyToManyField("clients.Collateral", related_name="family_contacts")
    about = models.TextField("what it was about", max_length=2000)
    outcome = models.TextField(max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]


class GroupKind(models.TextChoices):
    AL_ANON = "al_anon", "Al-Anon"
    NAR_ANON = "nar_anon", "Nar-Anon"
    CRAFT = "craft", "CRAFT group"
    EDUCATION = "education", "Family education class"
    OTHER = "other", "Other family support group"


class GroupVisit(models.Model):
    """A family member at an education or support group of their own."""

    collateral = models.ForeignKey(
        "clients.Collateral", on_delete=models.CASCADE, related_name="group_visits"
    )
    kind = models.CharField("group", max_length=20, choices=GroupKind.choices)
    attended_on = models.DateField("date")
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-attended_on", "-id"]
