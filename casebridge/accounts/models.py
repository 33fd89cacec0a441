"""Organisations, their programs, and the staff who work in them."""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class CaseManagementModel(models.TextChoices):
    """How a client's case is managed; it sets expected contact frequency and caseload size."""

    BROKERAGE = "brokerage", "Brokerage"
    CLINICAL = "clinical", "Clinical"
    STRENGTHS = "strengths", "Strengths-based"
    INTENSIVE = "intensive", "Intensive"


class Role(models.TextChoices):
    ADMIN = "admin", "Program administrator"
    SUPERVISOR = "supervisor", "Supervisor"
    CASE_MANAGER = "case_manager", "Case manager"
    COACH = "coach", "Peer/sober coach"
    INTAKE = "intake", "Intake coordinator"
    AUDITOR = "auditor", "Auditor"
    # A judge, prosecutor, defence attorney or probation officer of a treatment court the agency
    # serves: reads, never writes, what each participant consented to share with them.
    COURT_TEAM = "court_team", "Court team member (read only)"
    # A new account whose role waits for a second person's confirmation reaches nothing.
    NONE = "none", "No role yet"


# Roles that work with clients' records.
CLINICAL_ROLES = frozenset({Role.SUPERVISOR, Role.CASE_MANAGER, Role.COACH, Role.INTAKE})
# Roles that reach client information at all: the clinical ones, auditors, whose trail holds
# the before and after values of changed client details, and court team members, who read what
# participants consented to share. Giving one, or widening one's programs, takes a second
# person (docs/decisions/0009-two-people-grant-access.md).
CLIENT_REACHING_ROLES = CLINICAL_ROLES | {Role.AUDITOR, Role.COURT_TEAM}


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    case_number_prefix = models.CharField(
        max_length=8, default="CB", help_text="Letters that start every case number."
    )
    require_two_factor = models.BooleanField(
        default=False, help_text="Staff must use an authenticator app to sign in."
    )
    # Case numbers are handed out from this counter under a row lock.
    last_case_sequence = models.PositiveIntegerField(default=0, editable=False)

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="programs"
    )
    name = models.CharField(max_length=120)
    default_model = models.CharField(
        max_length=20, choices=CaseManagementModel.choices, default=CaseManagementModel.CLINICAL
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="program_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ProgramModelRule(models.Model):
    """Expected contact frequency and caseload cap for one model of case management in a program."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="model_rules")
    model = models.CharField(max_length=20, choices=CaseManagementModel.choices)
    contact_every_days = models.PositiveSmallIntegerField(
        help_text="A contact is due this many days after the last one."
    )
    caseload_cap = models.PositiveSmallIntegerField(
        help_text="Most clients one case manager should carry under this model."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "model"], name="program_model_rule_unique"),
            models.CheckConstraint(
                condition=models.Q(contact_every_days__gte=1), name="contact_every_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} / {self.get_model_display()}"


class User(AbstractUser):
    """A staff member. Each belongs to one organisation and has one role."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="staff", null=True, blank=True
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CASE_MANAGER)
    programs = models.ManyToManyField(
        Program,
        blank=True,
        related_name="staff",
        help_text="Programs this person works in (a supervisor sees every client in these).",
    )
    # When the person's role or organisation last changed: API tokens made before it stay
    # stopped, even if the role is later set back.
    access_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    _loaded_access: tuple[str, int | None] | None = None

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        indexes = [
            models.Index(fields=["organisation", "role"]),
            # A supervisor's team a page at a time, in name order: read in order, not sorted.
            models.Index(
                fields=["organisation", "role", "last_name", "first_name", "id"],
                name="staff_by_role_and_name",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any, *, fetch_mode: Any = None) -> "User":
        user = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        loaded = user.__dict__
        if "role" in loaded and "organisation_id" in loaded:
            user._loaded_access = (loaded["role"], loaded["organisation_id"])
        return user

    # What display_name reads: enough for a list that shows staff by name (with `.only()`).
    NAME_FIELDS = ("first_name", "last_name", "username")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The configuration screens are for program administrators (and the superuser).
        self.is_staff = self.is_superuser or self.role == Role.ADMIN
        loaded = getattr(self, "_loaded_access", None)
        if loaded is not None and loaded != (self.role, self.organisation_id):
            self.access_changed_at = timezone.now()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "access_changed_at", "is_staff"}
        super().save(*args, **kwargs)
        self._loaded_access = (self.role, self.organisation_id)


class ApiToken(models.Model):
    """A personal token for calling the API from another program, as the staff member who made
    it, with their access and no more. Only a digest of the secret is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)  # shown to tell tokens apart
    digest = models.CharField(max_length=64)  # sha256 of the whole token
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # What the owner was when the token was made: a token stops working when the owner's role or
    # organisation changes, so it never gains access its maker did not have.
    # Tokens made before this was recorded carry "" and so no longer work.
    role = models.CharField(max_length=20, choices=Role.choices, default="", blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    two_factor = models.BooleanField(default=False)  # made in a two-factor session

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class StaffChangeStatus(models.TextChoices):
    PENDING = "pending", "Waiting for confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    REFUSED = "refused", "Refused"


class StaffChange(models.Model):
    """A change to a staff member's access that waits for a second person: a role that reaches
    clients, programs added to such a role, or a new email address for such an account (where
    the links to set a password go). Nothing of it applies until someone else confirms it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_changes")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    # {"role": [from, to], "programs_added": [ids], "email": [from, to]}: only what changes.
    changes = models.JSONField()
    reason = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=20, choices=StaffChangeStatus.choices, default=StaffChangeStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status", "-requested_at"])]
        constraints = [
            # One open request per person: a second change waits until the first is decided.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="one_pending_staff_change",
            )
        ]

    def __str__(self) -> str:
        return f"Access change for {self.user}"
