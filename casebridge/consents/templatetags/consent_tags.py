"""Template filters for consents."""

from django import template

from casebridge.consents.models import InformationCategory

register = template.Library()


@register.filter
def category_labels(values: list[str]) -> str:
    labels = dict(InformationCategory.choices)
    return ", ".join(str(labels.get(v, v)) for v in values or []) or "—"
