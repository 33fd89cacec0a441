"""The widgets drawn in Python (casebridge.widgets) are Django's own templates, character for
character, for every kind of value; what they do not draw still draws through the templates."""

import datetime
import re
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import Client as Browser
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from casebridge.widgets import QuickWidgets

TRICKY = [
    None,
    "",
    "plain",
    'quote " and <script>alert(1)</script> & ampersand',
    mark_safe("<b>already safe</b>"),
    0,
    1234567,
    3.5,
    Decimal("10.25"),
    datetime.date(2026, 12, 6),
    datetime.datetime(2026, 12, 6, 9, 30, tzinfo=datetime.UTC),
    ("a", "tuple"),
    True,
]
ATTRS = [
    {},
    {"required": True, "disabled": False, "aria-describedby": 'id_x_helptext "odd"'},
    {"class": "wide", "placeholder": "Name & <more>", "data-n": 3, "autofocus": True},
]
CHOICES = [
    ("", "Any stage"),
    ("engagement", "Engagement"),
    (3, "Three <three>"),
    ("lazy", gettext_lazy("Lazy label")),
    ("Group & co", [("g1", "In a group"), ("g2", mark_safe("<i>Safe</i>"))]),
]
WIDGETS = [
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.PasswordInput,
    forms.HiddenInput,
    forms.DateInput,
    forms.TimeInput,
    forms.DateTimeInput,
    forms.CheckboxInput,
    forms.Textarea,
]


def _both(widget, name, value):
    quick = widget.render(name, value, renderer=QuickWidgets())
    django = widget.render(name, value, renderer=DjangoTemplates())
    return quick, django


@pytest.mark.parametrize("widget_class", WIDGETS, ids=lambda c: c.__name__)
def test_inputs_and_text_boxes_draw_as_djangos_templates_draw_them(widget_class):
    for attrs in ATTRS:
        widget = widget_class(attrs=attrs)
        for value in TRICKY:
            quick, django = _both(widget, 'field "name"', value)
            assert quick == django, (widget_class, attrs, value)


def test_selects_draw_as_djangos_templates_draw_them():
    for attrs in ATTRS:
        for widget in (
            forms.Select(attrs=attrs, choices=CHOICES),
            forms.SelectMultiple(attrs=attrs, choices=CHOICES),
            forms.NullBooleanSelect(attrs=attrs),
            forms.Select(attrs=attrs, choices=[]),
        ):
            values = [None, "", "engagement", 3, "3", "unknown", True, "true"]
            if widget.allow_multiple_selected:
                values.append(["g2", "engagement"])
            for value in values:
                quick, django = _both(widget, "stage", value)
                assert quick == django, (type(widget), attrs, value)
    # The escaping is the templates': nothing of a label or value comes through as markup.
    quick, _ = _both(forms.Select(choices=CHOICES), "stage", "engagement")
    assert "Three &lt;three&gt;" in quick and "<three>" not in quick
    assert 'label="Group &amp; co"' in quick and "<i>Safe</i>" in quick


def test_widgets_with_templates_of_their_own_are_drawn_by_them():
    for widget in (
        forms.RadioSelect(choices=CHOICES[:3]),
        forms.CheckboxSelectMultiple(choices=CHOICES[:3]),
        forms.ClearableFileInput(),
        forms.SelectDateWidget(),
    ):
        quick, django = _both(widget, "picked", None)
        assert quick == django


class _OwnOption(forms.Select):
    option_template_name = "django/forms/widgets/radio_option.html"


def test_a_select_whose_options_have_another_template_is_drawn_by_the_templates():
    quick, django = _both(_OwnOption(choices=CHOICES[:3]), "stage", "engagement")
    assert quick == django and "<label>" in quick


def _without_tokens(html):
    # Each page masks the same token differently.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_the_app_draws_its_forms_with_it_and_pages_are_as_before(world, settings):
    assert settings.FORM_RENDERER == "casebridge.widgets.QuickWidgets"
    browser = Browser()
    browser.force_login(world.alice)
    pages = [
        f"/clients/{world.client.pk}/",
        f"/clients/{world.client.pk}/consents/",
        f"/clients/{world.client.pk}/details/",
        "/caseload/",
        "/clients/new/",
        "/my-day/",
    ]
    quick = {url: _without_tokens(browser.get(url).content.decode()) for url in pages}
    settings.FORM_RENDERER = "django.forms.renderers.DjangoTemplates"
    for url in pages:
        response = browser.get(url)
        assert response.status_code == 200, url
        assert _without_tokens(response.content.decode()) == quick[url], url
    assert "<select" in quick["/caseload/"] and "<textarea" in quick[pages[0]]


class _Bare(forms.Widget):
    """A widget of an app's own that borrows Django's input template without giving a type."""

    template_name = "django/forms/widgets/input.html"


def test_a_widget_that_gives_less_than_djangos_own_is_drawn_by_the_templates():
    quick, django = _both(_Bare(), "bare", "x")
    assert quick == django and 'type=""' in quick
