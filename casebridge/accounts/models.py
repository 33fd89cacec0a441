"""Organisations, their programs, and the staff who work in them."""

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models


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

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        indexes = [models.Index(fields=["organisation", "role"])]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The configuration screens are for program administrators (and the superuser).
        self.is_staff = self.is_superuser or self.role == Role.ADMIN
        super().save(*args, **kwargs)


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
