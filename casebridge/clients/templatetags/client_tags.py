"""Template filters for showing client details, and the caseload's row."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString

from casebridge.clients.extensions import DueItem
from casebridge.clients.models import Client, Substance
from casebridge.clients.validation import format_phone
from casebridge.drawing import day_label, id_url, label, text

register = template.Library()


@register.simple_tag
def caseload_row(client: Client, due_items: Sequence[DueItem], today: date) -> SafeString:
    """One client's row of the caseload table. Drawn here rather than in the template: a page of
    fifty rows through the template language was a third of the caseload's time. Every value
    is escaped (drawing.text, as format_html would)."""
    due = (
        "".join(
            f'<span class="due-item{" overdue" if item.due_on < today else ""}">'
            f"{text(item.label)} by {text(day_label(item.due_on, 'M j'))}"
            f"{' (overdue)' if item.due_on < today else ''}</span>"
            for item in due_items[:2]
        )
        or "—"
    )
    flags = (
        "".join(
            f'<span class="flag flag-{text(flag.kind)}">{text(label(flag, "kind"))}</span> '
            for flag in client.open_flags  # type: ignore[attr-defined]
        )
        or "—"
    )
    legal = f" · legal first name {text(client.legal_first_name)}" if client.preferred_name else ""
    last_contact = (
        day_label(timezone.localdate(client.last_contact_at), "M j")
        if client.last_contact_at
        else "None yet"
    )
    return SafeString(
        "<tr>"
        f'<td data-label="Client" class="cell-client">'
        f'<a href="{text(id_url("client_overview", client.pk))}">{text(client.display_name)}</a>\n'
        f'        <span class="sub">{text(client.case_number)}{legal}</span></td>'
        f'<td data-label="Stage"><span class="cell"><span class="stage stage-{text(client.stage)}">'
        f"{text(label(client, 'stage'))}</span></span></td>"
        f'<td data-label="Program"><span class="cell">{text(client.program.name)}</span></td>'
        f'<td data-label="Model" class="cell-model">'
        f"{text(label(client, 'case_management_model'))}</td>"
        f'<td data-label="Last contact"><span class="cell">{text(last_contact)}</span></td>'
        f'<td data-label="Next due"><span class="cell">{due}</span></td>'
        f'<td data-label="Flags"><span class="cell">{flags}</span></td>'
        "</tr>"
    )


@register.simple_tag
def client_tabs(client: Client, tab: str, extra_tabs: Sequence[Any], can: Any) -> SafeString:
    """The tabs of a client's record, the one shown marked as the current page (drawn here: a
    page of the record reversed a URL for each of some twenty tabs through the template)."""
    allowed = can if isinstance(can, dict) else {}

    def link(url_name: str, name: str, title: str) -> str:
        current = ' aria-current="page"' if tab == name else ""
        return f'<a href="{text(id_url(url_name, client.pk))}"{current}>{text(title)}</a>'

    extras = "".join(
        link(extra.url_name, extra.url_name, extra.label) for extra in extra_tabs or ()
    )
    edit = link("client_edit", "details", "Edit details") if allowed.get("change") else ""
    assign = link("client_assign", "assign", "Assignment") if allowed.get("assign") else ""
    return SafeString(
        '<nav class="tabs" aria-label="Client record">\n'
        f"  {link('client_overview', 'overview', 'Overview')}\n"
        f"  {link('client_timeline', 'timeline', 'Timeline')}\n"
        f"  {link('collateral_list', 'collaterals', 'Contacts')}\n"
        f"  {extras}\n  {edit}\n  {assign}\n</nav>"
    )


@register.simple_tag
def team_count_rows(rows: Sequence[dict[str, Any]]) -> SafeString:
    """The Team page's lines of open cases per case manager, each a link to their caseload."""
    if not rows:
        return SafeString('<tr><td colspan="2">No case managers work in your programs.</td></tr>')
    caseload = text(id_url("caseload"))
    leaving = ' <span class="sub">no longer works in your programs: move their clients</span>'
    return SafeString(
        "".join(
            f'<tr><td><a href="{caseload}?case_manager={text(row["id"])}">{text(row["name"])}</a>'
            f"{'' if row['still_here'] else leaving}</td><td>{text(row['open_cases'])}</td></tr>"
            for row in rows
        )
    )


@register.filter
def phone(value: str) -> str:
    return format_phone(value or "")


@register.filter
def substances(values: list[str]) -> str:
    labels = dict(Substance.choices)
    return ", ".join(str(labels.get(v, v)) for v in values or []) or "None recorded"
