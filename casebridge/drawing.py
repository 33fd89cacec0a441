"""Small pieces for the template tags that draw long lists in Python (caseload rows, My Day's
lines, alert cards): a page of them used to spend a fifth of its time reversing the same URL
and formatting the same few dates.

`id_url(name, *pks)` is `reverse(name, args=pks)` for a URL whose arguments are ids: the URL is
reversed once per name (with marker ids) and the ids put in their places (the `link` template
tag, casebridge.web.templatetags.links, is the same in a template). `day_label(day, fmt)`
is `date_format(day, fmt)`, kept per day, format and language. `text(value)` is what
`conditional_escape` gives, without the checks for lazy values on every call, and
`markup(fmt, *values)` and `markup_join(sep, fmt, rows)` are format_html and format_html_join
built on it (those check every value twice for laziness: on a page of a few hundred values, a
tenth of its drawing). `label(instance, field)` is `instance.get_<field>_display()`, from the
field's choices kept as one dict (Django builds that dict again on every call)."""

from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache
from html import escape
from typing import Any

from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.safestring import SafeString

_MARK = 918273645  # ids no table reaches, to find where each id goes in a reversed URL


@lru_cache(maxsize=512)
def _pieces(name: str, count: int, prefix: str) -> tuple[str, ...]:
    """The URL named `name` cut where each of its `count` ids goes."""
    marks = [str(_MARK + place) for place in range(count)]
    refused = ValueError(f"The URL {name!r} does not take {count} id(s)")
    try:
        rest = reverse(name, args=marks)
    except NoReverseMatch as error:
        raise refused from error
    pieces = []
    for mark in marks:
        head, found, rest = rest.partition(mark)
        if not found:
            raise refused
        pieces.append(head)
    return (*pieces, rest)


def id_url(name: str, *pks: int) -> str:
    """The URL named `name` for the ids `pks` (the same as reverse would give)."""
    pieces = _pieces(name, len(pks), get_script_prefix())
    return "".join(f"{piece}{int(pk)}" for piece, pk in zip(pieces, pks, strict=False)) + pieces[-1]


@lru_cache(maxsize=4096)
def _day_label(day: date, fmt: str, language: str | None) -> str:
    return date_format(day, fmt)


def day_label(day: date, fmt: str) -> str:
    """A date (not a moment: convert to local time first) formatted as the date filter would."""
    return _day_label(day, fmt, translation.get_language())


def text(value: Any) -> str:
    """A value as HTML, as format_html puts it in: markup of its own (a SafeString, anything
    with __html__) as it is, anything else as escaped text."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return escape(str(value))


def markup(fmt: str, *values: Any) -> SafeString:
    """format_html: `fmt` (markup, with {} for each value) and each value as text() gives it."""
    return SafeString(fmt.format(*(text(value) for value in values)))


def markup_join(separator: str, fmt: str, rows: Iterable[Sequence[Any]]) -> SafeString:
    """format_html_join: markup() of each row's values, joined by `separator` (markup)."""
    return SafeString(separator.join(markup(fmt, *row) for row in rows))


@lru_cache(maxsize=256)
def _choices(options: Any, name: str) -> dict[Any, Any]:
    """A model's field's choices (options: the model's _meta), value to label."""
    return dict(options.get_field(name).flatchoices)


def label(instance: Any, name: str) -> Any:
    """What instance.get_<name>_display() gives: the choice's label, or the value itself."""
    value = getattr(instance, name)
    return _choices(instance._meta, name).get(value, value)
