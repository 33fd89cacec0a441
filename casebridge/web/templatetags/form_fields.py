"""`{% form_field field %}`: one field with its label, help and errors beside it, the same
markup, character for character, as the template it replaced (kept as the reference in
tests/web/test_form_fields.py, which compares them over every kind of field). forms/fields.html
draws each field of a form with it, and forms/field.html, which templates include for a field
on its own, is this tag: a template per field was most of the time a filter form took to draw."""

from typing import Any

from django import template
from django.utils.safestring import SafeString

from casebridge.drawing import text

register = template.Library()

_REQUIRED = ' <span class="required">(required)</span>'


@register.simple_tag
def form_field(field: Any) -> SafeString:
    widget = field.field.widget
    input_type = getattr(widget, "input_type", None)
    label, drawn, auto_id = text(field.label), text(field), text(field.auto_id)
    required = _REQUIRED if field.field.required else ""
    if getattr(widget, "allow_multiple_selected", False) and input_type == "checkbox":
        body = f"<fieldset><legend>{label}</legend>{drawn}</fieldset>"
    elif input_type == "radio":
        described = f' aria-describedby="{auto_id}_helptext"' if field.help_text else ""
        body = (
            f'<fieldset{described}><legend class="label">{label}{required}</legend>'
            f"{drawn}</fieldset>"
        )
    elif input_type == "checkbox":
        body = (
            f'<div class="checkbox-row">{drawn} <label for="{text(field.id_for_label)}">'
            f"{label}</label></div>"
        )
    else:
        body = f'<label for="{text(field.id_for_label)}">{label}{required}</label>\n  {drawn}'
    errors = field.errors
    helped = (
        f'<p class="help" id="{auto_id}_helptext">{text(field.help_text)}</p>'
        if field.help_text
        else ""
    )
    wrong = "".join(f'<p class="error" id="{auto_id}_error">{text(error)}</p>' for error in errors)
    return SafeString(
        f'\n<div class="field{" field-error" if errors else ""}">\n  \n  {body}\n  \n'
        f"  {helped}\n  {wrong}\n</div>\n"
    )
