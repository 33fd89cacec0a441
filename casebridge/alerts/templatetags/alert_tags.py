"""An alert's card and a line of My Day's due lists, drawn in Python.

My Day draws a hundred or more of these; through the template language they were half of the
page's time. Every value is escaped (drawing.markup, as format_html would). The one template
that still draws part of a card is the form with its errors (forms/fields.html), after a
refused action."""

from datetime import date, datetime
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe

from casebridge.alerts.models import Alert, AlertState
from casebridge.drawing import day_label, id_url, label, markup, markup_join

register = template.Library()


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "D M j, H:i")  # a moment: not kept


def _state(alert: Alert) -> SafeString:
    if alert.state == AlertState.ACKNOWLEDGED:
        by = alert.acknowledged_by.display_name if alert.acknowledged_by else ""
        at = _when(alert.acknowledged_at) if alert.acknowledged_at else ""
        return markup('<p class="alert-state">Being worked on: {}, {}.</p>', by, at)
    if alert.state == AlertState.SNOOZED:
        until = day_label(alert.snoozed_until, "D M j") if alert.snoozed_until else ""
        return markup('<p class="alert-state">Snoozed until {}.</p>', until)
    if alert.state == AlertState.RESOLVED:
        at = _when(alert.resolved_at) if alert.resolved_at else ""
        by = markup(" by {}", alert.resolved_by.display_name) if alert.resolved_by else ""
        return markup('<p class="alert-state">Resolved {}{}: {}</p>', at, by, alert.resolution_note)
    return mark_safe("")


def _unbound_fields(alert: Alert) -> SafeString:
    """The action form's fields for a card drawn without a bound form: the same names and
    labels as AlertActionForm, each id unique to its alert."""
    return markup(
        '<fieldset class="field">\n  <legend>What to do</legend>\n  <div class="choices">\n'
        '    <label class="choice"><input type="radio" name="do" value="acknowledge"'
        ' id="id_alert{0}_do_0" checked> I\'m on it</label>\n'
        '    <label class="choice"><input type="radio" name="do" value="snooze"'
        ' id="id_alert{0}_do_1"> Snooze until a day</label>\n'
        '    <label class="choice"><input type="radio" name="do" value="resolve"'
        ' id="id_alert{0}_do_2"> Resolve with a note</label>\n  </div>\n</fieldset>\n'
        '<div class="field">\n  <label for="id_alert{0}_until">Snooze until</label>\n'
        '  <input type="date" name="until" id="id_alert{0}_until"'
        ' aria-describedby="id_alert{0}_until_help">\n'
        '  <p class="help" id="id_alert{0}_until_help">It comes back on this day.</p>\n</div>\n'
        '<div class="field">\n  <label for="id_alert{0}_note">What was done</label>\n'
        '  <textarea name="note" id="id_alert{0}_note" rows="2" maxlength="500"'
        ' aria-describedby="id_alert{0}_note_help"></textarea>\n'
        '  <p class="help" id="id_alert{0}_note_help">Needed to resolve: what you did or found,'
        " for whoever reads it next.</p>\n</div>\n"
        '<input type="hidden" name="version" value="{1}">',
        alert.pk,
        alert.version,
    )


@register.simple_tag(takes_context=True)
def alert_card(
    context: template.Context,
    alert: Alert,
    may_act: bool = False,
    next: str = "",
    form: Any = None,
    just_done: bool = False,
) -> SafeString:
    """One alert as a card: what and why, where to act, and (for those who may) what to do with
    it. htmx swaps the whole card after an action."""
    facts = (
        markup(
            '<ul class="alert-facts">{}</ul>',
            markup_join("", "<li>{}</li>", ((fact,) for fact in alert.facts)),
        )
        if alert.facts
        else ""
    )
    action = ""
    if may_act and alert.is_live:
        detail = id_url("alert_detail", alert.pk)
        request = context.get("request")
        back = next or (request.get_full_path() if request is not None else "")
        fields = (
            render_to_string("forms/fields.html", {"form": form})
            if form
            else _unbound_fields(alert)
        )
        action = markup(
            '<details class="alert-act"{}>\n    <summary>Done with it?</summary>\n'
            '    <form method="post" action="{}" hx-post="{}" hx-target="#alert-{}"'
            ' hx-swap="outerHTML" novalidate>\n'
            '      <input type="hidden" name="csrfmiddlewaretoken" value="{}">\n'
            '      <input type="hidden" name="next" value="{}">\n{}\n'
            '      <button type="submit">Save</button>\n    </form>\n  </details>',
            " open" if form and form.errors else "",
            detail,
            detail,
            alert.pk,
            context.get("csrf_token", ""),
            back,
            fields,
        )
    name = alert.client.display_name
    return markup(
        '<article class="card alert-card alert-p{}{}" id="alert-{}"'
        ' aria-labelledby="alert-{}-title">\n'
        '  <h3 id="alert-{}-title" class="alert-title"><span class="alert-priority">{}</span>'
        " {}</h3>\n"
        '  <p class="sub"><a href="{}">{}</a> · {} · since {}</p>\n'
        "  {}{}\n"
        '  <p class="actions"><a class="button" href="{}">{}<span class="visually-hidden">'
        ' for {}</span></a> <a href="{}">Details<span class="visually-hidden"> of this alert'
        "</span></a></p>\n  {}\n</article>",
        alert.priority,
        " alert-done" if just_done else "",
        alert.pk,
        alert.pk,
        alert.pk,
        label(alert, "priority"),
        alert.title,
        id_url("client_overview", alert.client_id),
        name,
        alert.client.case_number,
        _when(alert.opened_at),
        facts,
        _state(alert),
        id_url(alert.act_url_name, alert.client_id),
        alert.act_label,
        name,
        id_url("alert_detail", alert.pk),
        action,
    )


@register.simple_tag
def due_line(line: Any, today: date) -> SafeString:
    """One line of My Day's due lists: when, what (a link to where it is done), and whose."""
    item, client = line.item, line.client
    overdue = item.due_on < today
    name = client.display_name
    return markup(
        '<li{}><strong>{}</strong> · <a href="{}">{}<span class="visually-hidden"> for {}</span>'
        '</a> · <a href="{}">{}</a> <span class="sub">{}</span></li>',
        mark_safe(' class="overdue"') if overdue else "",
        day_label(item.due_on, "D M j"),
        id_url(item.url_name, client.pk),
        item.label,
        name,
        id_url("client_overview", client.pk),
        name,
        client.case_number,
    )


@register.simple_tag
def task_line(task: Any, today: date) -> SafeString:
    """One of My Day's plan tasks: when (and whether overdue), what, and whose."""
    overdue = task.due_on < today
    return markup(
        '<li{}><strong>{}</strong>{} · <a href="{}">{}</a> · <a href="{}">{}</a></li>',
        mark_safe(' class="overdue"') if overdue else "",
        day_label(task.due_on, "D M j"),
        " (overdue)" if overdue else "",
        id_url("my_tasks"),
        task.title,
        id_url("client_overview", task.client_id),
        task.client.display_name,
    )


@register.simple_tag
def risk_line(row: Any) -> SafeString:
    """One client of the team's high-risk list, with up to three reasons."""
    client = row.client
    manager = client.primary_case_manager
    return markup(
        '<li><a href="{}">{}</a> <span class="sub">{} · {}</span>\n'
        '      <ul class="plain">{}</ul></li>',
        id_url("client_alerts", client.pk),
        client.display_name,
        client.case_number,
        manager.display_name if manager is not None else "no case manager",
        markup_join("", "<li>{}</li>", ((reason,) for reason in row.reasons)),
    )


@register.simple_tag
def cosign_line(note: Any) -> SafeString:
    """One note waiting for a supervisor's co-signature."""
    return markup(
        '<li><a href="{}">{}</a> <span class="sub">contact of {}, signed by {} {}</span></li>',
        id_url("contact_log", note.client_id),
        note.client.display_name,
        day_label(timezone.localdate(note.contact_at), "M j"),
        note.written_by.display_name,
        day_label(timezone.localdate(note.signed_at), "M j") if note.signed_at else "",
    )


_LEAVING = mark_safe(
    ' <span class="sub">no longer works in your programs: move their clients</span>'
)
_OVERDUE = mark_safe(' class="overdue"')


def _against_cap(load: Any) -> SafeString:
    """One program and model of a caseload, against its cap."""
    if not load.cap:
        against: SafeString | str = " (no cap set)"
    else:
        against = markup(" of {}{}", load.cap, " (over the cap)" if load.over else "")
    return markup(
        "<li{}>{}, {}: {}{}</li>",
        _OVERDUE if load.over else "",
        load.model,
        load.program,
        load.clients,
        against,
    )


@register.simple_tag
def caseload_day_row(day: Any) -> SafeString:
    """One case manager's line of the team today: open cases against the caps, what is overdue,
    and the way to move their clients (drawn here rather than in the template: a page of the
    team is 25 lines of a dozen figures each)."""
    person = day.user
    share = day.share_of_full
    return markup(
        '<tr{}>\n      <th scope="row" data-label="Case manager">{}{}</th>\n'
        '      <td data-label="Open cases">{}{}</td>\n'
        '      <td data-label="Against the caps"><ul class="plain">{}</ul></td>\n'
        '      <td data-label="Contacts overdue"{}>{}</td>\n'
        '      <td data-label="Open alerts">{}{}</td>\n'
        '      <td data-label="Plan tasks overdue"{}>{}</td>\n'
        '      <td data-label="Notes to sign">{}</td>\n'
        '      <td><a href="{}">Move clients<span class="visually-hidden"> of {}</span></a></td>\n'
        "    </tr>",
        mark_safe(' class="over-cap"') if day.over_cap else "",
        person.display_name,
        "" if person.still_here else _LEAVING,
        day.open_cases,
        markup(' <span class="sub">{}% of a full caseload</span>', share)
        if share is not None
        else "",
        markup_join("", "{}", ((_against_cap(load),) for load in day.loads)),
        _OVERDUE if day.contacts_overdue else "",
        day.contacts_overdue,
        day.alerts,
        markup(' <span class="overdue">({} urgent)</span>', day.urgent_alerts)
        if day.urgent_alerts
        else "",
        _OVERDUE if day.tasks_overdue else "",
        day.tasks_overdue,
        day.notes_to_sign,
        id_url("team_move", person.pk),
        person.display_name,
    )
