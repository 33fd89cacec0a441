"""Template filters for showing client details."""

from django import template

from casebridge.clients.models import Substance
from casebridge.clients.validation import format_phone

register = template.Library()


@register.filter
def phone(value: str) -> str:
    return format_phone(value or "")


@register.filter
def substances(values: list[str]) -> str:
    labels = dict(Substance.choices)
    return ", ".join(str(labels.get(v, v)) for v in values or []) or "None recorded"
