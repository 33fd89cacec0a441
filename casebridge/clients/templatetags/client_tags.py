"""Template filters for showing client details, and the caseload's row."""

from collections.abc import Sequence
from datetime import date

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from casebridge.clients.extensions import DueItem
from casebridge.clients.models import Client, Substance
from casebridge.clients.validation import format_phone
from casebridge.drawing import day_label, id_url

register = template.Library()


@register.simple_tag
def caseload_row(client: Client, due_items: Sequence[DueItem], today: date) -> SafeString:
    """One client's row of the caseload table. Drawn here rather than in the template: a page of
    fifty rows through the template language was a third of the caseload's time. Every value
    is escaped by format_html."""
    due = (
        format_html_join(
            "",
            '<span class="due-item{}">{} by {}{}</span>',
            (
                (
                    " overdue" if item.due_on < today else "",
                    item.label,
                    day_label(item.due_on, "M j"),
                    " (overdue)" if item.due_on < today else "",
                )
                for item in due_items[:2]
            ),
        )
        or "—"
    )
    flags = (
        format_html_join(
            "",
            '<span class="flag flag-{}">{}</span> ',
            ((flag.kind, flag.get_kind_display()) for flag in client.open_flags),  # type: ignore[attr-defined]
        )
        or "—"
    )
    legal = (
        format_html(" · legal first name {}", client.legal_first_name)
        if client.preferred_name
        else ""
    )
    last_contact = (
        day_label(timezone.localdate(client.last_contact_at), "M j")
        if client.last_contact_at
        else "None yet"
    )
    return format_html(
        "<tr>"
        '<td data-label="Client" class="cell-client"><a href="{}">{}</a>\n'
        '        <span class="sub">{}{}</span></td>'
        '<td data-label="Stage"><span class="cell"><span class="stage stage-{}">{}</span></span></td>'
        '<td data-label="Program"><span class="cell">{}</span></td>'
        '<td data-label="Model" class="cell-model">{}</td>'
        '<td data-label="Last contact"><span class="cell">{}</span></td>'
        '<td data-label="Next due"><span class="cell">{}</span></td>'
        '<td data-label="Flags"><span class="cell">{}</span></td>'
        "</tr>",
        id_url("client_overview", client.pk),
        client.display_name,
        client.case_number,
        legal,
        client.stage,
        client.get_stage_display(),
        client.program.name,
        client.get_case_management_model_display(),
        last_contact,
        due,
        flags,
    )


@register.filter
def phone(value: str) -> str:
    return format_phone(value or "")


@register.filter
def substances(values: list[str]) -> str:
    labels = dict(Substance.choices)
    return ", ".join(str(labels.get(v, v)) for v in values or []) or "None recorded"
