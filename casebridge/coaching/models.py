"""Sober and peer coaching: a coach assigned to a client with an intensity (how often they are
in touch) and a coaching agreement in plain words. The sessions and check-ins themselves are
monitoring's; this app says how often one is due and who the coach should reach today."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from casebridge.accounts.models import Program
from casebridge.clients.models import Client


class Intensity(models.TextChoices):
    WEEKLY = "weekly", "A call a week"
    SEVERAL = "several", "Calls several times a week"
    DAILY = "daily", "Daily contact"
    LIVE_IN = "live_in", "Live-in or 24-hour companion"


# A contact (a coaching session or a check-in) is due this many days after the last one.
CONTACT_EVERY_DAYS: dict[str, int] = {
    Intensity.WEEKLY: 7,
    Intensity.SEVERAL: 2,
    Intensity.DAILY: 1,
    Intensity.LIVE_IN: 1,
}


class CoachingRules(models.Model):
    """A program's choice: whether case managers assign coaches themselves, or leave it to the
    supervisor."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="coaching")
    case_managers_assign = models.BooleanField(
        "case managers assign coaches",
        default=False,
        help_text="A client's case manager may assign a coach from the client's page, without "
        "waiting for a supervisor.",
    )

    class Meta:
        verbose_name = "coaching rules"
        verbose_name_plural = "coaching rules"

    def __str__(self) -> str:
        return f"Coaching rules for {self.program}"


class CoachingAgreement(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="coaching")
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coaching_agreements"
    )
    intensity = models.CharField(max_length=20, choices=Intensity.choices)
    agreement = models.TextField(
        "what they agreed",
        max_length=4000,
        help_text="In plain words: what the client wants from coaching, when and how the coach "
        "is in touch, and what the coach passes on to the case manager.",
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(ended_on__isnull=True),
                name="coaching_one_agreement_in_effect",
            )
        ]
        indexes = [models.Index(fields=["coach", "ended_on"])]

    def __str__(self) -> str:
        return f"Coaching agreement {self.pk}"

    @property
    def every_days(self) -> int:
        return CONTACT_EVERY_DAYS[self.intensity]
