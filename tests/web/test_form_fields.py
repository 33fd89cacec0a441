"""{% form_field %} draws a field as the reference template below does (the markup forms were drawn
with before the tag), character for character, for every kind of field, bound or not, right or
wrong; forms/field.html, which sixty templates include, draws it with the tag."""

import datetime

import pytest
from django import forms
from django.template import Context, Template
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from casebridge.inputs import DateInput
from casebridge.web.templatetags.form_fields import form_field

REFERENCE = Template(
    """
<div class="field{% if field.errors %} field-error{% endif %}">
  {% if field.field.widget.allow_multiple_selected and field.field.widget.input_type == 'checkbox' %}
  <fieldset><legend>{{ field.label }}</legend>{{ field }}</fieldset>
  {% elif field.field.widget.input_type == 'radio' %}
  <fieldset{% if field.help_text %} aria-describedby="{{ field.auto_id }}_helptext"{% endif %}><legend class="label">{{ field.label }}{% if field.field.required %} <span class="required">(required)</span>{% endif %}</legend>{{ field }}</fieldset>
  {% elif field.field.widget.input_type == 'checkbox' %}
  <div class="checkbox-row">{{ field }} <label for="{{ field.id_for_label }}">{{ field.label }}</label></div>
  {% else %}
  <label for="{{ field.id_for_label }}">{{ field.label }}{% if field.field.required %} <span class="required">(required)</span>{% endif %}</label>
  {{ field }}
  {% endif %}
  {% if field.help_text %}<p class="help" id="{{ field.auto_id }}_helptext">{{ field.help_text }}</p>{% endif %}
  {% for error in field.errors %}<p class="error" id="{{ field.auto_id }}_error">{{ error }}</p>{% endfor %}
</div>
"""
)

CHOICES = [("a", "Apple & <pear>"), ("b", "Banana")]


class _Every(forms.Form):
    name = forms.CharField(label='Name <b>"quoted"</b>', help_text="Their own words & more.")
    optional = forms.CharField(required=False, label=gettext_lazy("Optional"))
    safe_help = forms.CharField(required=False, help_text=mark_safe("<em>kept</em> as it is"))
    number = forms.IntegerField(min_value=1)
    when = forms.DateField(widget=DateInput(), required=False, initial=datetime.date(2026, 12, 7))
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    pick = forms.ChoiceField(choices=CHOICES)
    picks = forms.MultipleChoiceField(choices=CHOICES, required=False)
    ticks = forms.MultipleChoiceField(
        choices=CHOICES, widget=forms.CheckboxSelectMultiple, help_text="Tick any."
    )
    radio = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect, help_text="One of them.")
    radio_plain = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect, required=False)
    agree = forms.BooleanField(label="I agree", help_text="Tick to agree.")
    maybe = forms.BooleanField(required=False)

    def clean(self):
        raise forms.ValidationError("A problem with the whole form.")


FORMS = {
    "unbound": lambda: _Every(),
    "unbound, prefixed": lambda: _Every(prefix="p"),
    "unbound, no ids": lambda: _Every(auto_id=False),
    "bound, every field wrong": lambda: _Every({"number": "0", "pick": "z", "ticks": ["z"]}),
    "bound, right": lambda: _Every(
        {
            "name": "<x>",
            "number": "3",
            "pick": "a",
            "ticks": ["a", "b"],
            "radio": "b",
            "agree": "on",
        }
    ),
}


@pytest.mark.parametrize("made", FORMS.values(), ids=FORMS.keys())
def test_every_field_is_drawn_as_the_template_draws_it(made):
    form = made()
    form.is_valid()
    if form.is_bound and "number" in form.data and form.data["number"] == "0":
        # Errors beyond the one per field: a field with two, with markup in the message.
        form.add_error("name", "Second <problem> & more")
    included = get_template("forms/field.html")
    for field in form.visible_fields():
        assert form_field(field) == REFERENCE.render(Context({"field": field})), field.name
        assert included.render({"field": field}).strip() == form_field(field).strip(), field.name


def test_the_form_shows_each_field_once_with_its_problems(client):
    form = FORMS["bound, every field wrong"]()
    form.is_valid()
    drawn = get_template("forms/fields.html").render({"form": form})
    assert drawn.count('<div class="field') == len(form.visible_fields())
    assert 'id="id_number_error"' in drawn and 'id="id_name_helptext"' in drawn
