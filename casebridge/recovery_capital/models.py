"""Recovery capital: the support around a client (sponsor, home group, recovery community
organisation, supportive family and friends, and the people and places they stay away from)
and, in their own words, what keeps them going. The BARC-10 scores and the days in recovery
these are shown beside are the assessments' and monitoring's."""

from django.conf import settings
from django.db import models

from casebridge.clients.models import Client


class TieKind(models.TextChoices):
    SPONSOR = "sponsor", "Sponsor"
    HOME_GROUP = "home_group", "Home group"
    COMMUNITY = "community", "Recovery community organisation"
    SUPPORTER = "supporter", "Supportive family member or friend"
    AVOID = "avoid", "Person or place to stay away from"


class SupportTie(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="support_ties")
    kind = models.CharField(max_length=20, choices=TieKind.choices)
    name = models.CharField(max_length=200)
    note = models.CharField(max_length=300, blank=True)
    since = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name", "id"]
        indexes = [models.Index(fields=["client", "ended_on"])]

    def __str__(self) -> str:
        return self.name


class OwnWords(models.Model):
    """What keeps the client going, as they said it."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="own_words")
    text = models.TextField(max_length=2000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Own words of client {self.client_id}"
