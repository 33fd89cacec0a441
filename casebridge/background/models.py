"""What background work records so that a task killed halfway can safely run again."""

from django.db import models


class EmailDelivery(models.Model):
    """One email a background task sends, under a key naming the event it is about (for
    example `break_glass:42`). A rerun of the task finds the row marked sent and sends nothing.
    Ids only: the message itself is never stored."""

    key = models.CharField(max_length=200, unique=True)
    # Kept from the first attempt, so a resend after an interrupted attempt carries the same
    # Message-ID and mail systems can recognise it as the same message.
    message_id = models.CharField(max_length=255)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    attempted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "email deliveries"

    def __str__(self) -> str:
        return self.key


class WorkerHeartbeat(models.Model):
    """A database task worker that is alive, and when it last said so. A worker silent for
    longer than TASKS_WORKER_TIMEOUT_SECONDS is taken as dead and its running tasks are queued
    again (casebridge/background/workers.py)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["worker_id"]

    def __str__(self) -> str:
        return self.worker_id


class PeriodicRound(models.Model):
    """One periodic task queued for one round of the clock (a slot of SWEEP_EVERY_MINUTES,
    counted from the Unix epoch). Every `casebridge clock` inserts the row before queueing;
    the unique pair lets exactly one of several clocks do so, and the others skip the round."""

    task = models.CharField(max_length=200)
    slot = models.DateTimeField(help_text="When the round began.")
    queued_at = models.DateTimeField(auto_now_add=True)
    queued_by = models.CharField(max_length=255, blank=True, help_text="host:pid of the clock.")

    class Meta:
        ordering = ["-slot", "task"]
        constraints = [
            models.UniqueConstraint(fields=["task", "slot"], name="periodic_round_once_per_slot")
        ]
        indexes = [models.Index(fields=["slot"], name="periodic_round_slot")]

    def __str__(self) -> str:
        return f"{self.task} at {self.slot.isoformat()}"
