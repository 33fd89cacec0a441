"""Listeners: a referral's provider confirming, through the referral's link or to staff, that
the client started there admits the transition that waits on that referral."""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from casebridge.referrals.models import Referral


@receiver(post_save, sender=Referral, dispatch_uid="transitions_referral_connected")
def referral_connected(
    sender: type[Referral], instance: Referral, raw: bool = False, **kwargs: Any
) -> None:
    if raw or instance.connected_at is None:
        return
    from casebridge.transitions.services import partner_confirmed

    referral_id = instance.pk

    def admit() -> None:
        referral = Referral.objects.filter(pk=referral_id).first()
        if referral is not None:
            partner_confirmed(referral)

    transaction.on_commit(admit, robust=True)
