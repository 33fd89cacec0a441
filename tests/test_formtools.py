"""Choice fields that read their options once (casebridge.formtools)."""

from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casebridge.accounts.models import Program
from casebridge.formtools import ModelChoiceField, ModelMultipleChoiceField


class _Choose(forms.Form):
    one = ModelChoiceField(queryset=Program.objects.order_by("name"), empty_label="Choose")
    many = ModelMultipleChoiceField(queryset=Program.objects.order_by("name"))


def test_the_options_are_django_s_read_in_one_plain_query_per_field(world):
    form = _Choose()
    plain = forms.ModelChoiceField(queryset=Program.objects.order_by("name"), empty_label="Choose")
    assert [str(label) for _, label in form.fields["one"].choices] == [
        str(label) for _, label in plain.choices
    ]
    fresh = _Choose()
    with CaptureQueriesContext(connection) as read:
        drawn = str(fresh["one"]) + str(fresh["many"]) + str(fresh["one"])
    # One query a field, however often it is drawn, and never a server-side cursor (on
    # PostgreSQL Django's own declares one: three round trips each time).
    assert len(read) == 2
    assert not any("DECLARE" in query["sql"] for query in read.captured_queries)
    assert world.program.name in drawn and world.other_program.name in drawn


def test_a_choice_is_still_checked_against_the_database(world):
    form = _Choose({"one": str(world.program.pk), "many": [str(world.other_program.pk)]})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["one"] == world.program
    assert list(form.cleaned_data["many"]) == [world.other_program]
    refused = _Choose({"one": "999999", "many": ["999999"]})
    assert not refused.is_valid()
    assert set(refused.errors) == {"one", "many"}


def test_no_form_of_the_product_draws_its_options_through_djangos_cursor():
    """Every choice of records in the product's forms, declared or made by a ModelForm from a
    foreign key, is one of ours."""
    import importlib
    import inspect
    import pkgutil

    import casebridge

    ours = (ModelChoiceField, ModelMultipleChoiceField)
    found = []
    for module in pkgutil.walk_packages(casebridge.__path__, "casebridge."):
        if "forms" not in module.name.split(".")[2:]:
            continue  # forms modules and packages (Django's admin builds its own)
        loaded = importlib.import_module(module.name)
        for _, form in inspect.getmembers(loaded, inspect.isclass):
            if not issubclass(form, forms.BaseForm) or form.__module__ != loaded.__name__:
                continue
            for name, field in form.base_fields.items():
                if isinstance(field, forms.ModelChoiceField):
                    found.append((form.__name__, name, isinstance(field, ours)))
    assert len(found) > 10
    assert [(form, name) for form, name, is_ours in found if not is_ours] == []
