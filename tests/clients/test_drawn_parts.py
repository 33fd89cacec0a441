"""Parts of the client pages drawn in Python (client_tags): the record's tabs, the team's counts."""

from types import SimpleNamespace

from casebridge.clients.templatetags.client_tags import client_tabs


def _tabs(**changes):
    values = {
        "client": SimpleNamespace(pk=12),
        "tab": "court",
        "extra_tabs": [
            SimpleNamespace(url_name="client_alerts", label="Alerts"),
            SimpleNamespace(url_name="court_record", label="Court <&>"),
        ],
        "can": {"change": True, "assign": False},
    }
    return client_tabs(**(values | changes))


def test_every_tab_links_to_this_clients_page_and_only_the_one_shown_is_current():
    nav = _tabs(tab="court_record")
    assert nav.startswith('<nav class="tabs" aria-label="Client record">')
    assert '<a href="/clients/12/">Overview</a>' in nav
    assert '<a href="/clients/12/timeline/">Timeline</a>' in nav
    assert '<a href="/clients/12/alerts/">Alerts</a>' in nav
    assert '<a href="/clients/12/court/" aria-current="page">Court &lt;&amp;&gt;</a>' in nav
    assert nav.count("aria-current") == 1
    assert _tabs(tab="overview").count('/clients/12/" aria-current="page">Overview') == 1


def test_edit_and_assignment_show_only_to_those_who_may():
    assert "Edit details" in _tabs() and "Assignment" not in _tabs()
    both = _tabs(can={"change": True, "assign": True}, tab="assign")
    assert '<a href="/clients/12/assignment/" aria-current="page">Assignment</a>' in both
    neither = _tabs(can="", extra_tabs="")  # a page without them: the template's empty value
    assert "Edit details" not in neither and "Assignment" not in neither
    assert neither.count("<a ") == 3


def test_the_teams_counts_link_each_case_manager_to_their_caseload():
    from casebridge.clients.templatetags.client_tags import team_count_rows

    rows = team_count_rows(
        [
            {"id": 4, "name": "Ana <Ruiz>", "open_cases": 12, "still_here": True},
            {"id": 9, "name": "Bo Li", "open_cases": 0, "still_here": False},
        ]
    )
    assert (
        '<tr><td><a href="/caseload/?case_manager=4">Ana &lt;Ruiz&gt;</a></td><td>12</td></tr>'
        in rows
    )
    assert (
        '<a href="/caseload/?case_manager=9">Bo Li</a> <span class="sub">no longer works in your '
        "programs: move their clients</span></td><td>0</td></tr>"
    ) in rows
    assert "No case managers" in team_count_rows([])
