"""Referrals: a client linked to a service (from the directory or named by hand) for a need of
the care plan, with its status history and every communication about it, until the loop is
closed with an outcome."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from casebridge.consents.models import InformationCategory
from casebridge.referrals.statuses import Reason, ReferralStatus


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    SOON = "soon", "Soon (within a week)"
    URGENT = "urgent", "Urgent (today or tomorrow)"


class Outcome(models.TextChoices):
    """What came of a completed referral."""

    ADMITTED = "admitted", "Admitted or enrolled"
    APPOINTMENT_KEPT = "appointment-kept", "First appointment kept"
    BENEFIT_APPROVED = "benefit-approved", "Benefit or application approved"
    HOUSED = "housed", "Moved in"
    HIRED = "hired", "Started work or training"
    SERVICE_RECEIVED = "service-received", "Service received"
    OTHER = "other", "Something else (say what)"


class Referral(models.Model):
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="referrals")
    # A service in the agency's directory; kept as words too, so a referral still reads right
    # after the directory changes (a service that is gone leaves its name here).
    service = models.ForeignKey(
        "directory.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
    )
    provider_name = models.CharField("provider", max_length=200)
    service_name = models.CharField("service", max_length=200, blank=True)
    provider_contact = models.CharField("how to reach the provider", max_length=300, blank=True)
    # What it serves in the plan in effect (the need and, when chosen, the goal).
    need_domain = models.CharField("need", max_length=30, blank=True)
    goal = models.ForeignKey(
        "plans.Goal", on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    # The plan action ("what will be done", by a provider) this referral carries out: the
    # action's key, which stays the same through every version of the plan.
    plan_action_key = models.UUIDField("plan action", null=True, blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    reason = models.TextField("why the client is referred")
    # The consent categories (consents.InformationCategory) that go with it; sending them
    # passes the consent gate and is recorded as a disclosure.
    information = models.JSONField("information that goes with it", default=list, blank=True)
    status = models.CharField(
        max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT
    )
    status_reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    status_detail = models.CharField(max_length=300, blank=True)
    next_follow_up_on = models.DateField("next follow-up", null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The day an answer is due, set when sent from the program's rules (ReferralRules), so the
    # caseload finds unanswered referrals with one indexed comparison.
    answer_due_on = models.DateField("answer expected by", null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)  # accepted or declined
    # When the client was first connected: the service under way or completed (the measure of
    # time from referral to connection).
    connected_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(max_length=300, blank=True)
    disclosure = models.ForeignKey(
        "consents.Disclosure", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What went out with it: the consented information as the record held it when sent
    # (referrals.packet), so the packet shows the provider nothing newer than the disclosure.
    packet = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            # The caseload's due items: open referrals per client by follow-up date.
            models.Index(fields=["client", "status", "next_follow_up_on"]),
            # Supervisors' measures per service.
            models.Index(fields=["service", "status"]),
            # Referrals sent and not answered by the day the program expects.
            models.Index(fields=["client", "answer_due_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(provider_name=""), name="referral_names_a_provider"
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk}"

    def information_labels(self) -> list[str]:
        """The information that goes with it, in words."""
        names = dict(InformationCategory.choices)
        return [str(names.get(category, category)) for category in self.information]


class ReferralRules(models.Model):
    """How long a program gives a provider to answer a referral, and how soon staff follow up
    after sending one, where the program differs from the defaults."""

    program = models.OneToOneField(
        "accounts.Program", on_delete=models.CASCADE, related_name="referral_rules"
    )
    answer_within_days = models.PositiveSmallIntegerField(
        "answer expected within (days)",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="A referral sent and neither accepted nor declined after this many days shows "
        "on the caseload.",
    )
    follow_up_urgent_days = models.PositiveSmallIntegerField(
        "first follow-up of an urgent referral (days)",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    follow_up_soon_days = models.PositiveSmallIntegerField(
        "first follow-up of a referral needed soon (days)",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    follow_up_routine_days = models.PositiveSmallIntegerField(
        "first follow-up of a routine referral (days)",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )

    class Meta:
        verbose_name = "referral rules"
        verbose_name_plural = "referral rules"

    def __str__(self) -> str:
        return f"Referral rules for {self.program}"


class ReferralEvent(models.Model):
    """One status move: who, when, from what to what, and why."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, choices=ReferralStatus.choices)
    to_status = models.CharField(max_length=12, choices=ReferralStatus.choices)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    # Staff who recorded it; for an answer the provider gave by phone or letter, staff record it
    # and `for_provider` says so.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    for_provider = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"


class Channel(models.TextChoices):
    CALL = "call", "Phone call"
    EMAIL = "email", "Email"
    FAX = "fax", "Fax"
    VISIT = "visit", "Visit"
    LETTER = "letter", "Letter"
    TEXT = "text", "Text message"


class ReferralCommunication(models.Model):
    """A call, email, fax, visit or letter about the referral (the follow-up log)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="communications")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    with_whom = models.CharField("with whom", max_length=200)
    summary = models.CharField("what was said", max_length=500)
    happened_at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-happened_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} about referral {self.referral_id}"


class ReferralLink(models.Model):
    """An address the provider a referral was sent to uses to answer it without an account: to
    see the packet the client consented to, accept or decline, book the first appointment and
    say how it ended. Only a hash of its secret is kept (the address is shown once); it ends on
    its expiry, when withdrawn, when a new one is made, when the referral closes or when the
    consent behind the referral no longer covers it."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="partner_links")
    token_hash = models.CharField(max_length=64, unique=True)  # sha256 of the secret, hex
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A new link withdraws the one before it: never two working links for one referral.
            models.UniqueConstraint(
                fields=["referral"],
                condition=models.Q(revoked_at__isnull=True),
                name="referral_link_one_live_per_referral",
            ),
        ]

    def __str__(self) -> str:
        return f"Provider link {self.pk}"
