"""The drawing helpers give what reverse and date_format give."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from casebridge.drawing import day_label, id_url, text


@pytest.mark.parametrize("name", ["client_overview", "client_alerts", "alert_detail"])
@pytest.mark.parametrize("pk", [1, 7, 918273, 2**31 - 1])
def test_id_url_is_what_reverse_gives(name: str, pk: int) -> None:
    assert id_url(name, pk) == reverse(name, args=[pk])


def test_id_url_refuses_a_url_without_an_id() -> None:
    with pytest.raises(ValueError, match="does not take 1 id"):
        id_url("my_day", 1)


def test_id_url_follows_the_script_prefix() -> None:
    from django.urls import set_script_prefix

    try:
        set_script_prefix("/agency/")
        assert id_url("client_overview", 5) == reverse("client_overview", args=[5])
        assert id_url("client_overview", 5).startswith("/agency/")
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize("fmt", ["D M j", "M j, Y", "l, F j", "M j"])
def test_day_label_is_what_date_format_gives(fmt: str) -> None:
    for day in (date(2026, 3, 9), date(2026, 12, 31), date(2028, 2, 29)):
        assert day_label(day, fmt) == date_format(day, fmt)
    assert day_label(date(2026, 3, 9), "l, F j") == "Monday, March 9"


def test_text_is_what_conditional_escape_gives() -> None:
    from decimal import Decimal

    from django.utils.html import conditional_escape
    from django.utils.safestring import SafeString
    from django.utils.translation import gettext_lazy

    values = [
        "plain",
        "<b>Jay</b> & \"Rivera\" 'o'",
        SafeString("<i>kept</i>"),
        gettext_lazy("Alerts"),
        5,
        Decimal("1.50"),
        None,
        date(2026, 1, 2),
    ]
    for value in values:
        assert text(value) == conditional_escape(value), value


def test_markup_and_markup_join_are_what_format_html_and_format_html_join_give() -> None:
    from django.utils.html import format_html, format_html_join
    from django.utils.safestring import SafeString
    from django.utils.translation import gettext_lazy

    from casebridge.drawing import markup, markup_join

    values = ("<b>Jay</b> & 'o'", SafeString("<i>kept</i>"), gettext_lazy("Alerts"), 5, None)
    fmt = '<li class="x">{} · {} · {} · {} · {}</li>'
    made = markup(fmt, *values)
    assert made == format_html(fmt, *values)
    assert isinstance(made, SafeString)
    assert "&lt;b&gt;Jay&lt;/b&gt; &amp; &#x27;o&#x27;" in made and "<i>kept</i>" in made
    rows = [("<script>",), (SafeString("<em>ok</em>"),), (3,)]
    joined = markup_join("\n", "<li>{}</li>", rows)
    assert joined == format_html_join("\n", "<li>{}</li>", rows)
    assert isinstance(joined, SafeString) and "&lt;script&gt;" in joined


def test_label_is_what_get_display_gives(db) -> None:
    from casebridge.alerts.models import Alert, Priority
    from casebridge.clients.models import CaseManagementModel, Client, ClientFlag, FlagKind, Stage
    from casebridge.drawing import label

    for stage in [*Stage.values, "not-a-stage"]:
        client = Client(stage=stage)
        assert label(client, "stage") == client.get_stage_display()
    for model in CaseManagementModel.values:
        client = Client(case_management_model=model)
        assert label(client, "case_management_model") == client.get_case_management_model_display()
    for kind in FlagKind.values:
        flag = ClientFlag(kind=kind)
        assert label(flag, "kind") == flag.get_kind_display()
    for priority in [*Priority.values, None]:
        alert = Alert(priority=priority)
        assert label(alert, "priority") == alert.get_priority_display()


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("my_tasks", ()),
        ("client_overview", (3,)),
        ("task_close", (3, 41)),
        ("plan_detail", (2**31 - 1, 918273646)),
    ],
)
def test_id_url_and_the_link_tag_give_what_reverse_gives_for_any_number_of_ids(name, ids) -> None:
    from django.template import engines

    assert id_url(name, *ids) == reverse(name, args=ids)
    drawn = engines["django"].from_string(
        "{% load links %}{% link name " + " ".join(f"i{n}" for n in range(len(ids))) + " %}"
    )
    context = {"name": name} | {f"i{n}": value for n, value in enumerate(ids)}
    assert drawn.render(context) == reverse(name, args=ids)


@pytest.mark.parametrize(("name", "ids"), [("task_close", (3,)), ("client_overview", ())])
def test_id_url_refuses_the_wrong_number_of_ids(name, ids) -> None:
    with pytest.raises(ValueError, match=f"does not take {len(ids)} id"):
        id_url(name, *ids)
