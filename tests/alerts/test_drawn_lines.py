"""Lines of the team today and My Day drawn in Python (alert_tags)."""

from types import SimpleNamespace

from casebridge.alerts.templatetags.alert_tags import caseload_day_row


def _day(**changes):
    person = SimpleNamespace(pk=7, display_name="Ana <b>Ruiz</b>", still_here=True)
    loads = [
        SimpleNamespace(model="Intensive", program="Outpatient", clients=3, cap=2, over=True),
        SimpleNamespace(
            model="Brokerage", program="Re-entry & Jail", clients=9, cap=None, over=False
        ),
    ]
    values = {
        "user": person,
        "over_cap": True,
        "share_of_full": 150,
        "open_cases": 12,
        "loads": loads,
        "contacts_overdue": 2,
        "alerts": 4,
        "urgent_alerts": 1,
        "tasks_overdue": 0,
        "notes_to_sign": 3,
    }
    return SimpleNamespace(**(values | changes))


def test_a_line_shows_every_figure_and_what_is_over_or_overdue():
    row = caseload_day_row(_day())
    assert row.startswith('<tr class="over-cap">')
    assert "Ana &lt;b&gt;Ruiz&lt;/b&gt;" in row and "<b>" not in row
    assert '12 <span class="sub">150% of a full caseload</span>' in row
    assert '<li class="overdue">Intensive, Outpatient: 3 of 2 (over the cap)</li>' in row
    assert "<li>Brokerage, Re-entry &amp; Jail: 9 (no cap set)</li>" in row
    assert '<td data-label="Contacts overdue" class="overdue">2</td>' in row
    assert '4 <span class="overdue">(1 urgent)</span>' in row
    assert '<td data-label="Plan tasks overdue">0</td>' in row
    assert '<td data-label="Notes to sign">3</td>' in row
    assert 'href="/team/move/7/"' in row
    assert "no longer works" not in row


def test_a_line_of_someone_who_left_with_nothing_over():
    row = caseload_day_row(
        _day(
            user=SimpleNamespace(pk=8, display_name="Bo Li", still_here=False),
            over_cap=False,
            share_of_full=None,
            loads=[],
            contacts_overdue=0,
            urgent_alerts=0,
        )
    )
    assert row.startswith("<tr>")
    assert 'Bo Li <span class="sub">no longer works in your programs: move their clients' in row
    assert "% of a full caseload" not in row and "urgent" not in row
    assert '<ul class="plain"></ul>' in row
    assert '<td data-label="Contacts overdue">0</td>' in row


def test_a_plan_task_line_on_my_day():
    from datetime import date

    from casebridge.alerts.templatetags.alert_tags import task_line

    client = SimpleNamespace(display_name="Jay <Rivera>")
    task = SimpleNamespace(due_on=date(2026, 3, 9), title="Call & book", client_id=5, client=client)
    late = task_line(task, date(2026, 3, 10))
    assert late.startswith('<li class="overdue"><strong>Mon Mar 9</strong> (overdue) · ')
    assert '<a href="/tasks/">Call &amp; book</a>' in late
    assert '<a href="/clients/5/">Jay &lt;Rivera&gt;</a></li>' in late
    on_time = task_line(task, date(2026, 3, 9))
    assert on_time.startswith("<li><strong>Mon Mar 9</strong> · ") and "overdue" not in on_time
