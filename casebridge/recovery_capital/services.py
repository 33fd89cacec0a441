"""Changes to the support network and the client's own words: one transaction each, audited.
Who may: those who change the client's record, and the coach (coaching is about exactly this:
the `check_in` action)."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casebridge.access.policy import Action
from casebridge.accounts.models import User
from casebridge.audit.services import audit_record
from casebridge.audit.versions import check_version
from casebridge.clients.models import Client
from casebridge.clients.queries import user_may
from casebridge.recovery_capital.models import OwnWords, SupportTie


def may_keep(user: User, client: Client) -> bool:
    return user_may(user, client, Action.CHANGE) or user_may(user, client, Action.CHECK_IN)


def _check(user: User, client: Client) -> None:
    if not may_keep(user, client):
        raise ValidationError("Your role cannot change this client's support network.")


def tie_add(
    *, client: Client, by: User, kind: str, name: str, note: str = "", since: date | None = None
) -> SupportTie:
    _check(by, client)
    if since is not None and since > timezone.localdate():
        raise ValidationError({"since": "The date cannot be in the future."})
    with transaction.atomic():
        tie = SupportTie(
            client=client, kind=kind, name=name.strip(), note=note.strip(), since=since, added_by=by
        )
        tie.full_clean()
        tie.save()
        audit_record(
            actor=by,
            action="create",
            client_id=client.pk,
            object_type="support_tie",
            object_id=tie.pk,
            changes={"kind": [None, kind], "name": [None, tie.name]},
        )
    return tie


def tie_end(*, tie: SupportTie, by: User) -> SupportTie:
    """No longer part of the client's life (kept, as history)."""
    _check(by, tie.client)
    with transaction.atomic():
        current = SupportTie.objects.select_for_update().get(pk=tie.pk)
        if current.ended_on is None:
            current.ended_on = timezone.localdate()
            current.save(update_fields=["ended_on"])
            audit_record(
                actor=by,
                action="update",
                client_id=current.client_id,
                object_type="support_tie",
                object_id=current.pk,
                changes={"ended_on": [None, current.ended_on.isoformat()]},
            )
    return current


def own_words_save(*, client: Client, by: User, text: str, version: int) -> OwnWords:
    """Version 0 is a first writing; a later one must be the version read."""
    _check(by, client)
    with transaction.atomic():
        # Two first writings at once take turns here, so the second finds the first.
        Client.objects.select_for_update().filter(pk=client.pk).first()
        current = OwnWords.objects.select_for_update().filter(client=client).first()
        check_version(
            current=current.version if current else 0,
            version=version,
            client_id=client.pk,
            object_type="own_words",
            object_id=current.pk if current else "",
        )
        before: Any = current.text if current else None
        words = current or OwnWords(client=client, updated_by=by, version=0)
        words.text = text.strip()
        words.updated_by = by
        words.version += 1
        words.full_clean()
        words.save()
        audit_record(
            actor=by,
            action="update" if current else "create",
            client_id=client.pk,
            object_type="own_words",
            object_id=words.pk,
            changes={"text": [before, words.text], "version": [version, words.version]},
        )
    return words
