"""Reads of staff accounts' own things: their API tokens."""

from typing import Any

from django.db.models import QuerySet

from casebridge.accounts.models import ApiToken


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def token_of(user: Any, token_id: object) -> ApiToken | None:
    """One of the user's own tokens (never another person's), or None."""
    if not str(token_id or "").isdigit():
        return None
    return tokens_of(user).filter(pk=int(str(token_id))).first()
