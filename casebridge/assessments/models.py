"""Completed instruments and the schedule on which each program re-administers them."""

from django.conf import settings
from django.db import models


class InstrumentResponse(models.Model):
    """One completed instrument: the answers as given and the scores they produced."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="instrument_responses"
    )
    instrument = models.CharField(max_length=20)
    version = models.CharField(max_length=10)
    answers = models.JSONField()
    context = models.JSONField(default=dict, blank=True)
    scores = models.JSONField()
    primary_score = models.IntegerField(null=True)
    band = models.CharField(max_length=80, blank=True)
    positive = models.BooleanField(null=True)
    safety_concern = models.BooleanField(default=False)
    completed_by_client = models.BooleanField(default=False)
    administered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    administered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-administered_at", "-id"]
        indexes = [models.Index(fields=["client", "instrument", "-administered_at"])]

    def __str__(self) -> str:
        return f"{self.instrument} {self.pk}"


class InstrumentSchedule(models.Model):
    """A program re-administers an instrument every so many days while a case is open."""

    program = models.ForeignKey(
        "accounts.Program", on_delete=models.CASCADE, related_name="instrument_schedules"
    )
    instrument = models.CharField(max_length=20)
    every_days = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "instrument"], name="one_schedule_per_instrument"
            ),
            models.CheckConstraint(
                condition=models.Q(every_days__gte=1), name="schedule_every_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} every {self.every_days} days"
