"""A client's record: identity, the case's stage and staff, collaterals, flags and timeline."""

from typing import Any
from uuid import uuid4

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef

from casebridge.access.policy import Action, Someone, client_filter
from casebridge.accounts.models import CaseManagementModel, Organisation, Program
from casebridge.clients.contact_due import contact_due_expression, contact_rules
from casebridge.clients.stages import Stage

# The facts the next contact due follows (the program's rule aside).
CONTACT_FACTS = frozenset(
    {"last_contact_at", "registered_at", "program", "program_id", "case_management_model", "stage"}
)


class ReferralSource(models.TextChoices):
    SELF = "self", "Self"
    FAMILY = "family", "Family or friend"
    COURT = "court", "Court"
    PROBATION = "probation", "Probation or parole"
    HOSPITAL = "hospital", "Hospital or emergency department"
    TREATMENT = "treatment", "Treatment program"
    PHYSICIAN = "physician", "Doctor or clinic"
    EMPLOYER = "employer", "Employer"
    COMMUNITY = "community", "Community organisation"
    OTHER = "other", "Other"


class Substance(models.TextChoices):
    ALCOHOL = "alcohol", "Alcohol"
    OPIOIDS = "opioids", "Opioids (heroin, fentanyl, pain pills)"
    STIMULANTS = "stimulants", "Methamphetamine or other stimulants"
    COCAINE = "cocaine", "Cocaine or crack"
    CANNABIS = "cannabis", "Cannabis"
    BENZODIAZEPINES = "benzodiazepines", "Benzodiazepines"
    TOBACCO = "tobacco", "Tobacco or nicotine"
    OTHER = "other", "Other"


class ClientQuerySet(models.QuerySet["Client"]):
    def restrict(
        self,
        user: Someone,
        action: str = Action.VIEW,
        *,
        include_emergency: bool = True,
        one_client: bool = False,
    ) -> "ClientQuerySet":
        """Only the clients `user` may perform `action` on (the access policy decides).
        `one_client=True` when the query also picks one client by its id (a cheaper form of the
        same rules; it would read every row of a list)."""
        return self.filter(
            client_filter(user, action, include_emergency=include_emergency, one_client=one_client)
        )

    def refresh_caseload_facts(self) -> int:
        """Work out again, in the database, what the caseload sorts by for these clients: when
        the next contact is due, and whether a safety concern is open. Two queries, any number
        of clients. Saving a client or a flag does this by itself; call it after writing clients
        or flags in bulk (bulk_create, raw SQL)."""
        open_safety = ClientFlag.objects.filter(
            client=OuterRef("pk"), kind=FlagKind.SAFETY, cleared_at__isnull=True
        )
        rules = contact_rules(self.values("program_id"))
        return super().update(
            next_contact_due_at=contact_due_expression(rules),
            has_open_safety_flag=Exists(open_safety),
        )

    def renew_due_stamps(self) -> int:
        """These clients' due items are to be worked out again (clients.extensions.due_items)."""
        return super().update(due_stamp=uuid4())

    def update(self, **kwargs: Any) -> int:
        # A client's own facts (stage, program, registration) are read by the due items too.
        kwargs.setdefault("due_stamp", uuid4())
        rows = super().update(**kwargs)
        if CONTACT_FACTS & kwargs.keys():
            # Facts written in bulk (back-dated demo data, say): the rows still selected here
            # get their next contact due worked out again.
            self.refresh_caseload_facts()
        return rows


class Client(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="clients")
    case_number = models.CharField(max_length=24, unique=True, editable=False)

    legal_first_name = models.CharField("legal first name", max_length=100)
    legal_last_name = models.CharField("legal last name", max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    date_of_birth = models.DateField()
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    preferred_language = models.CharField(max_length=60, default="English")
    emergency_contact_name = models.CharField(max_length=120, blank=True)
    emergency_contact_phone = models.CharField(max_length=30, blank=True)
    referral_source = models.CharField(max_length=20, choices=ReferralSource.choices)
    referral_source_detail = models.CharField(max_length=200, blank=True)
    primary_substances = models.JSONField(default=list, blank=True)
    case_management_model = models.CharField(max_length=20, choices=CaseManagementModel.choices)
    goals_in_own_words = models.TextField(
        "goals in the client's own words", blank=True, help_text="What the client wants, as said."
    )

    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.ENGAGEMENT)
    primary_case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="primary_clients",
    )
    secondary_case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="secondary_clients",
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coached_clients",
    )
    # Records of substance use treatment are 42 CFR Part 2 records; exports carry this label.
    is_part2_record = models.BooleanField(default=True)

    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    # Kept on the record so the caseload shows it without a query per client; written by the
    # capability that records contacts (services.contact_times_set).
    last_contact_at = models.DateTimeField(null=True, blank=True)
    # The latest try that did not reach the client (it does not count as a contact).
    last_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # What the caseload sorts by, derived from the facts above, a flag and the program's rule,
    # and kept in step by the database (ClientQuerySet.refresh_caseload_facts) so that a
    # caseload of any size is sorted through an index. Never set by hand.
    next_contact_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    has_open_safety_flag = models.BooleanField(default=False, editable=False)
    # Replaced by every change to what the client's due items are worked out from, in the
    # change's transaction: kept due items are filed under it (clients.extensions.due_items).
    due_stamp = models.UUIDField(default=uuid4, editable=False)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["legal_last_name", "legal_first_name"]
        indexes = [
            models.Index(fields=["organisation", "stage"]),
            models.Index(fields=["program", "stage"]),
            # Open cases per case manager (a team's counts) read from the index alone.
            models.Index(
                fields=["primary_case_manager", "stage", "program", "organisation", "id"],
                name="client_manager_open_cases",
            ),
            models.Index(fields=["secondary_case_manager"]),
            models.Index(fields=["coach"]),
            models.Index(
                fields=["organisation", "legal_last_name", "legal_first_name", "date_of_birth"],
                name="client_duplicate_lookup",
            ),
            models.Index(fields=["phone"]),
            # The caseload by urgency, and by the next contact due (overdue only too), for a
            # supervisor's whole team: read in order, no sort of every client.
            models.Index(
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
            models.Index(
                fields=[
                    "organisation",
                    "next_contact_due_at",
                    "legal_last_name",
                    "legal_first_name",
                    "id",
                ],
                name="caseload_by_next_due",
            ),
        ]

    def __str__(self) -> str:
        return self.case_number

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, then bring what the caseload sorts by in step with the facts just saved (after
        the row is written: a new client's registration time is set by the save)."""
        self.due_stamp = uuid4()
        # What a page found the reader may do (clients.queries.client_for) may change with it.
        self.__dict__.pop("actions_of", None)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "due_stamp"}
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and not CONTACT_FACTS & set(update_fields):
            return
        facts = Client.objects.filter(pk=self.pk)
        facts.refresh_caseload_facts()
        self.next_contact_due_at, self.has_open_safety_flag = facts.values_list(
            "next_contact_due_at", "has_open_safety_flag"
        ).get()

    def refresh_from_db(
        self, using: str | None = None, fields: Any = None, from_queryset: Any = None
    ) -> None:
        """Read the row again, forgetting what a page found the reader may do: the row may
        have changed under it (clients.queries.client_for). Loading a field left out of the
        first read (a deferred one) reads nothing again, and keeps it."""
        if fields is None or not set(fields) <= self.get_deferred_fields():
            self.__dict__.pop("actions_of", None)
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)

    # What display_name reads: enough for a list that shows clients by name (with `.only()`).
    NAME_FIELDS = ("preferred_name", "legal_first_name", "legal_last_name")

    @property
    def display_name(self) -> str:
        """The name staff should use: preferred first name if given, with the legal last name."""
        first = self.preferred_name or self.legal_first_name
        return f"{first} {self.legal_last_name}"

    @property
    def legal_name(self) -> str:
        return f"{self.legal_first_name} {self.legal_last_name}"


class StageChange(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    reason = models.TextField()
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    moved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-moved_at", "-id"]


class AssignmentRole(models.TextChoices):
    PRIMARY = "primary_case_manager", "Primary case manager"
    SECONDARY = "secondary_case_manager", "Secondary case manager"
    COACH = "coach", "Peer/sober coach"


class AssignmentChange(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="assignment_changes")
    role = models.CharField(max_length=30, choices=AssignmentRole.choices)
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]


class Relationship(models.TextChoices):
    FAMILY = "family", "Family member"
    PARTNER = "partner", "Partner or spouse"
    EMPLOYER = "employer", "Employer"
    ATTORNEY = "attorney", "Attorney"
    JUDGE = "judge", "Judge or court"
    PROBATION = "probation", "Probation or parole officer"
    PHYSICIAN = "physician", "Physician"
    THERAPIST = "therapist", "Therapist"
    PSYCHIATRIST = "psychiatrist", "Psychiatrist"
    SPONSOR = "sponsor", "Sponsor"
    SOBER_COACH = "sober_coach", "Sober coach"
    OTHER = "other", "Other"


class Collateral(models.Model):
    """A person around the client: reached only under a consent that covers them (whether one
    is in effect is the consents capability's to say, through clients.extensions)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="collaterals")
    name = models.CharField(max_length=120)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    organisation_name = models.CharField("organisation", max_length=200, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    notes = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FlagKind(models.TextChoices):
    SAFETY = "safety", "Safety concern"
    HIGH_RISK = "high_risk", "High risk of relapse"
    COURT = "court", "Court involved"
    HOUSING = "housing", "Unstably housed"
    PREGNANT = "pregnant", "Pregnant"
    MEDICAL = "medical", "Medical need"
    OTHER = "other", "Other"


class ClientFlag(models.Model):
    """A flag staff should see at a glance; it stays until someone clears it with a note."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=20, choices=FlagKind.choices)
    note = models.CharField(max_length=300, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    clear_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["kind", "cleared_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "kind"],
                condition=models.Q(cleared_at__isnull=True),
                name="one_open_flag_per_kind",
            )
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save; a safety flag raised or cleared moves the client in the caseload's order."""
        super().save(*args, **kwargs)
        if self.kind == FlagKind.SAFETY:
            Client.objects.filter(pk=self.client_id).refresh_caseload_facts()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        deleted = super().delete(*args, **kwargs)
        if self.kind == FlagKind.SAFETY:
            Client.objects.filter(pk=self.client_id).refresh_caseload_facts()
        return deleted


class TimelineKind(models.TextChoices):
    """The timeline kinds of the client record itself. Other capabilities register their own
    (clients.extensions.register_timeline_kind), each with the action needed to see it."""

    REGISTERED = "registered", "Registered"
    STAGE = "stage", "Stage"
    ASSIGNMENT = "assignment", "Assignment"
    DETAILS = "details", "Details updated"
    PROGRAM = "program", "Program move"
    COLLATERAL = "collateral", "Collateral"
    FLAG = "flag", "Flag"
    ACCESS = "access", "Emergency access"


class TimelineEntry(models.Model):
    """One thing that happened on the case, as staff would tell it."""

    # No index on the client alone: timeline_in_order starts with the client. With one, and the
    # statistics not yet knowing that a client has ten thousand entries, PostgreSQL read all of
    # them through it and sorted them for a page of fifty.
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="timeline", db_index=False
    )
    at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=40)  # a registered kind (clients.extensions)
    # The access-policy action a viewer needs to see this entry: lists are filtered by it in the
    # query, so an entry a role may not see never reaches the page.
    needs_action = models.CharField(max_length=30, default="view")
    summary = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # In the timeline's own order, ties included: a page is read straight from the
            # index and the scan stops at the page's end (and a client's entries are found
            # through it, for a count or when a client is deleted).
            models.Index(fields=["client", "-at", "-id"], name="timeline_in_order"),
            # The timeline filtered to one kind reads only that kind's entries, however many
            # others the client has.
            models.Index(fields=["client", "kind", "-at", "-id"], name="timeline_by_kind_in_order"),
        ]
