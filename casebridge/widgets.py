"""Form widgets drawn in Python: the same HTML as Django's own widget templates, faster.

Django draws every input, select and text box through its template language, an option at a
time: a page's filter form and the forms in a client's header took a fifth of the page. The
renderer here draws the widgets every form has (inputs of any type, selects, text boxes) the way
Django's templates do, character for character (tests/web/test_widgets.py compares them), and
hands anything else (radio lists, groups of checkboxes, the signature pad, the admin's widgets,
a template an app overrides) to the templates as before.
"""

from collections.abc import Callable
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.functional import cached_property
from django.utils.safestring import SafeData

_CONTEXT = Context(autoescape=True)
_OPTION = "django/forms/widgets/select_option.html"


def _text(value: Any) -> str:
    """`{{ value }}` in a template: localised, then escaped unless already safe."""
    return str(render_value_in_context(value, _CONTEXT))


def _as_string(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`."""
    if isinstance(value, tuple):
        value = str(value)
    formatted = "%s" % (value,)  # noqa: UP031 (the filter's own formatting)
    # The filter keeps a safe value safe, and the template then leaves it as it is.
    return formatted if isinstance(value, SafeData) else _text(formatted)


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html."""
    drawn = []
    for name, value in attrs.items():
        if value is False:
            continue
        drawn.append(
            f" {_text(name)}" if value is True else f' {_text(name)}="{_as_string(value)}"'
        )
    return "".join(drawn)


def _input(widget: dict[str, Any]) -> str:
    """django/forms/widgets/input.html (and every input type that includes it)."""
    value = widget["value"]
    shown = "" if value is None else f' value="{_as_string(value)}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>"
    )


def _select(widget: dict[str, Any]) -> str | None:
    """django/forms/widgets/select.html, its options drawn by select_option.html; None when an
    option has a template of its own."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _ in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _OPTION:
                return None
            parts.append(
                f'\n  <option value="{_as_string(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: dict[str, Any]) -> str:
    """django/forms/widgets/textarea.html."""
    value = widget["value"]
    return (
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{_text(value) if value else ''}</textarea>"
    )


_INPUTS = (
    "text",
    "number",
    "email",
    "url",
    "tel",
    "search",
    "password",
    "hidden",
    "date",
    "time",
    "datetime",
    "checkbox",
    "color",
)
_DRAWN: dict[str, Callable[[dict[str, Any]], str | None]] = {
    **{f"django/forms/widgets/{name}.html": _input for name in _INPUTS},
    "django/forms/widgets/input.html": _input,
    "django/forms/widgets/select.html": _select,
    "django/forms/widgets/textarea.html": _textarea,
}


class QuickWidgets(DjangoTemplates):
    """Django's template renderer, with the common widgets drawn in Python (FORM_RENDERER)."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        draw = _DRAWN.get(template_name)
        widget = context.get("widget")
        if draw is not None and isinstance(widget, dict) and self._django_own:
            try:
                drawn = draw(widget)
            except KeyError:  # a widget of an app's own that gives less than Django's do
                drawn = None
            if drawn is not None:
                return drawn.strip()
        return super().render(template_name, context, request)

    @cached_property
    def _django_own(self) -> bool:
        """Whether the widget templates drawn here are Django's own: when an app replaces any
        of them, every widget is drawn by the templates."""
        names = [*_DRAWN, _OPTION, "django/forms/widgets/attrs.html"]
        return all(
            "/django/forms/templates/" in str(self.get_template(name).origin.name) for name in names
        )
