"""Every input has a type and a bound: the one place for the rules that numbers, text, dates,
uploaded files and JSON bodies from a request pass before anything else reads them.

Forms take the rules by inheriting `BoundedForm`; views parse ids with `parse_id`; services and
the API check text and dates with `check_text` and `check_date`; the API reads bodies with
`read_json`. A rule changes here, not at each use. Why each bound is what it is:

- ids: `"²".isdigit()` and `"٣".isdigit()` are true, and `int("²")` fails; only ASCII digits are
  numbers here, at most 18 of them (a bigint holds 19).
- text: PostgreSQL refuses NUL in text, and no encoding holds a lone surrogate; other control
  characters are invisible on the page and break the printed PDF. A line of text has no line
  breaks or tabs; a multi-line answer may. Lengths are what the printed pages lay out.
- dates: 1900-01-01 to 2100-12-31. Outside it SQLite overflows when a day is added, and no date
  a case manager records is there.
- uploads: the content decides what a file is, not the name or the type the browser declared;
  image size is read from the header, never by decoding a picture that might be enormous.
- JSON: a size, a depth and a count per list, no NaN or Infinity (PostgreSQL's jsonb refuses
  them), no number too large for a bigint or a float.
"""

import base64
import binascii
import io
import json
import math
import re
import warnings
from datetime import UTC, date, datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

# --- Whole numbers (ids, versions) ------------------------------------------------------------

_ID = re.compile(r"[0-9]{1,18}")
LARGEST_NUMBER = 10**18 - 1


def parse_id(value: object) -> int | None:
    """A whole number of 0 or more sent as text (or already a number), else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value <= LARGEST_NUMBER else None
    if isinstance(value, str) and _ID.fullmatch(value):
        return int(value)
    return None


# --- Text --------------------------------------------------------------------------------------

SHORT_TEXT = 200  # a name, a line on a form
LONG_TEXT = 2000  # a paragraph: what fits on a printed page beside its label
# C0 and C1 control characters, DEL, and the surrogate halves (never valid alone).
_CONTROL_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
CONTROL_MESSAGE = (
    "This has hidden characters that cannot be saved (they often come with pasted text). "
    "Type it again, or paste it as plain text."
)
LINE_BREAK_MESSAGE = "Keep this on one line."


LENGTH_MESSAGE = "Keep it under %(limit_value)d characters. This has %(show_value)d."


def text_problem(value: str, *, multiline: bool = False, max_length: int | None = None) -> str:
    """What is wrong with a piece of text, in plain words, or "" when nothing is."""
    if max_length is not None and len(value) > max_length:
        return LENGTH_MESSAGE % {"limit_value": max_length, "show_value": len(value)}
    found = (_CONTROL_IN_TEXT if multiline else _CONTROL_IN_LINE).search(value)
    if found is None:
        return ""
    if found.group() in "\r\n\t":
        return LINE_BREAK_MESSAGE
    return CONTROL_MESSAGE


def lines_problem(value: str, *, max_length: int, max_lines: int, line_limit: int) -> str:
    """What is wrong with a list typed one item a line (a plan's section), or "" when nothing
    is: the whole text's bounds, then how many lines and how long each."""
    problem = text_problem(value, multiline=True, max_length=max_length)
    if problem:
        return problem
    lines = [line.strip() for line in value.splitlines() if line.strip()]
    if len(lines) > max_lines:
        return f"Keep it to {max_lines} lines or fewer; this has {len(lines)}."
    for line in lines:
        if len(line) > line_limit:
            return f"Keep each line under {line_limit} characters; one line has {len(line)}."
    return ""


def tidy_lines(value: str) -> str:
    """One item per line, without blank lines or surrounding spaces."""
    return "\n".join(line.strip() for line in value.splitlines() if line.strip())


def check_text(value: str, *, multiline: bool = False, max_length: int | None = None) -> None:
    problem = text_problem(value, multiline=multiline, max_length=max_length)
    if problem:
        raise ValidationError(problem, code="text")


def check_line(value: str) -> None:
    """Validator for one line of text (a name, a phone number, a short note)."""
    check_text(value, multiline=False)


def check_paragraph(value: str) -> None:
    """Validator for text that may run over several lines."""
    check_text(value, multiline=True)


def has_unsafe_characters(value: str) -> bool:
    """NUL or a lone surrogate: what no database column or encoding takes, wherever it appears."""
    return "\x00" in value or any("\ud800" <= char <= "\udfff" for char in value)


# --- Dates -------------------------------------------------------------------------------------

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
DATE_MESSAGE = "Check the year: give a date between 1900 and 2100."


def check_date(value: date) -> None:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(DATE_MESSAGE, code="date_range")


def parse_date(value: object) -> date:
    """A date sent as "YYYY-MM-DD" text within the plausible range; ValueError with a plain
    message otherwise."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("Give a date as YYYY-MM-DD.")
    parsed = date.fromisoformat(value)  # ValueError for 2026-02-30
    if not EARLIEST_DATE <= parsed <= LATEST_DATE:
        raise ValueError(DATE_MESSAGE)
    return parsed


class DateInput(forms.DateInput):
    """The browser's date picker, limited to the same years the server takes."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        limits = {"min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()}
        super().__init__(attrs=limits | (attrs or {}), format="%Y-%m-%d")


class DateField(forms.DateField):
    """A date typed or picked between 1900 and 2100 (in a BoundedForm, which checks the range
    after the form's own checks; see there)."""

    widget = DateInput


def local_moment(day: date, clock: time) -> datetime | None:
    """That wall-clock time on that day where the program works, as an instant in UTC, so that
    adding a length adds real minutes and comparing two compares real instants (Python compares
    and adds wall-clock times within one time zone). None when that time does not happen that
    day: the hour skipped when the clocks go forward."""
    naive = datetime.combine(day, clock)
    instant = timezone.make_aware(naive).astimezone(UTC)
    # Back through UTC: astimezone() to the zone a time is already in changes nothing.
    if timezone.make_naive(instant) != naive:
        return None
    return instant


def skipped_time_message(day: date, clock: time) -> str:
    shown = f"{clock.hour % 12 or 12}:{clock.minute:02d} {'AM' if clock.hour < 12 else 'PM'}"
    return (
        f"The clocks go forward that night, so {shown} does not happen on {day:%b} {day.day}. "
        "Choose another time."
    )


# --- Forms: every field bounded ----------------------------------------------------------------

LARGEST_FORM_NUMBER = 2**31 - 1  # what every integer column takes


def bound_fields(fields: dict[str, forms.Field]) -> None:
    """Give each field of a form the house bounds: text a length and no control characters,
    dates the plausible range, whole numbers a range a database column takes. A field that
    already has a tighter bound keeps it. Calling it again changes nothing."""
    for field in fields.values():
        if getattr(field, "house_bounds", False):
            continue
        field.house_bounds = True  # type: ignore[attr-defined]
        if isinstance(field, forms.CharField):
            multiline = isinstance(field.widget, forms.Textarea)
            if field.max_length is None:
                field.max_length = LONG_TEXT if multiline else SHORT_TEXT
                field.validators.append(MaxLengthValidator(field.max_length))
                if not field.widget.is_hidden:
                    field.widget.attrs.setdefault("maxlength", str(field.max_length))
            field.validators.append(check_paragraph if multiline else check_line)
            field.error_messages.setdefault("max_length", LENGTH_MESSAGE)
        elif isinstance(field, forms.DateField):
            # The range itself is checked by BoundedForm after the form's own date checks.
            if isinstance(field.widget, forms.DateInput):
                field.widget.attrs.setdefault("min", EARLIEST_DATE.isoformat())
                field.widget.attrs.setdefault("max", LATEST_DATE.isoformat())
        elif isinstance(field, forms.IntegerField):
            if field.max_value is None:
                field.max_value = LARGEST_FORM_NUMBER
                field.validators.append(MaxValueValidator(LARGEST_FORM_NUMBER))
            if field.min_value is None:
                field.min_value = -LARGEST_FORM_NUMBER
                field.validators.append(MinValueValidator(-LARGEST_FORM_NUMBER))


class BoundedForm:
    """Mix into a Form or ModelForm (first, before the Django class) to bound every field,
    including fields a form adds in its own __init__ (they are bounded before validation).

    Dates are checked against the plausible range last, so a form's own, more telling check
    ("the date of birth would make the client over 120") is the message a person sees."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]
    _errors: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_fields(self.fields)

    def full_clean(self) -> None:
        bound_fields(self.fields)
        super().full_clean()  # type: ignore[misc]
        if self._errors is None or not hasattr(self, "cleaned_data"):
            return  # an unbound form
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            out_of_range = isinstance(value, date) and not EARLIEST_DATE <= value <= LATEST_DATE
            if isinstance(field, forms.DateField) and out_of_range:
                self.add_error(name, ValidationError(DATE_MESSAGE, code="date_range"))  # type: ignore[attr-defined]


# --- Uploaded files and drawn signatures -------------------------------------------------------

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# A phone photo of a paper form is 12 to 50 megapixels; more is no scan.
MAX_SCAN_PIXELS = 60_000_000
# The signature box is 600 by 180; a high-density screen draws it at up to three times that.
MAX_SIGNATURE_SIZE = (2000, 1000)
MAX_SIGNATURE_CHARS = 500_000
PNG_DATA_URL = "data:image/png;base64,"
TOO_LARGE = (10**6, 10**6)
_SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
)


def _image_size(raw: Any, expected: str) -> tuple[int, int]:
    """Width and height from the image's header (nothing is decoded); ValueError if the file is
    not an image of the expected format. Pillow itself refuses, at opening, pictures far beyond
    any bound here; those are answered as too large."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(raw, formats=[expected.upper()]) as picture:
                return picture.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return TOO_LARGE
    except (OSError, UnidentifiedImageError, ValueError):
        raise ValueError(expected) from None


def check_scan(upload: Any) -> str:
    """A scanned or photographed paper form: a PDF, PNG or JPEG by its content, under 10 MB and
    60 megapixels. Returns the kind ("pdf", "png", "jpeg"); ValidationError otherwise."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError("The file is too large: keep it under 10 MB.", code="size")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    kind = next((name for magic, name in _SIGNATURES if head.startswith(magic)), "")
    if not kind:
        raise ValidationError(
            "This file is not a PDF or a picture. Scan or photograph the signed form again.",
            code="type",
        )
    if kind != "pdf":
        try:
            width, height = _image_size(upload, kind)
        except ValueError:
            raise ValidationError(
                "The picture could not be read. Scan or photograph the signed form again.",
                code="image",
            ) from None
        finally:
            upload.seek(0)
        if width * height > MAX_SCAN_PIXELS:
            raise ValidationError(
                "The picture is too large. Take it again at a normal camera setting.",
                code="pixels",
            )
    return kind


def check_drawn_signature(data_url: str) -> None:
    """A signature drawn in the box: a PNG data URL no larger than the box could make."""
    if not data_url.startswith(PNG_DATA_URL):
        raise ValidationError("Ask the client to sign in the box.", code="signature")
    if len(data_url) > MAX_SIGNATURE_CHARS:
        raise ValidationError(
            "The signature is too large; clear it and sign again.", code="signature"
        )
    try:
        raw = base64.b64decode(data_url[len(PNG_DATA_URL) :], validate=True)
        width, height = _image_size(io.BytesIO(raw), "png")
    except (ValueError, binascii.Error):
        raise ValidationError(
            "The signature could not be read; ask the client to sign again.", code="signature"
        ) from None
    if width > MAX_SIGNATURE_SIZE[0] or height > MAX_SIGNATURE_SIZE[1]:
        raise ValidationError(
            "The signature is too large; clear it and sign again.", code="signature"
        )
    try:
        with Image.open(io.BytesIO(raw), formats=["PNG"]) as picture:
            picture.verify()  # the whole file is a well-formed PNG (checks, does not draw)
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError):
        raise ValidationError(
            "The signature could not be read; ask the client to sign again.", code="signature"
        ) from None


# --- JSON bodies -------------------------------------------------------------------------------

JSON_MAX_BYTES = 1_000_000
JSON_MAX_DEPTH = 20
JSON_MAX_ITEMS = 200  # in any one list or object
_JSON_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class BadInput(ValueError):
    """A request body that breaks a house bound; the message says which, in plain words."""


def _refuse_constant(name: str) -> Any:
    raise BadInput(f"{name} is not a number this service takes.")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 18:
        raise BadInput("A number is too large.")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadInput("A number is too large.")
    return value


def _depth(text: str) -> int:
    deepest = depth = 0
    for token in _JSON_STRING_OR_BRACKET.finditer(text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > JSON_MAX_DEPTH:
                break
        elif mark in "]}":
            depth -= 1
    return deepest


def _check_values(document: Any) -> None:
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if has_unsafe_characters(value):
                raise BadInput("Text may not contain NUL characters or lone surrogates.")
        elif isinstance(value, list):
            if len(value) > JSON_MAX_ITEMS:
                raise BadInput(f"Send at most {JSON_MAX_ITEMS} items in a list.")
            pending.extend(value)
        elif isinstance(value, dict):
            if len(value) > JSON_MAX_ITEMS:
                raise BadInput(f"Send at most {JSON_MAX_ITEMS} fields in an object.")
            pending.extend(value.keys())
            pending.extend(value.values())


def read_json(body: bytes) -> Any:
    """The JSON document in a request body, within the house bounds; BadInput otherwise."""
    if len(body) > JSON_MAX_BYTES:
        raise BadInput(f"The body is too large: send at most {JSON_MAX_BYTES // 1000} kB.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput("The body is not valid UTF-8.") from None
    if _depth(text) > JSON_MAX_DEPTH:
        raise BadInput(f"The document is nested too deeply (at most {JSON_MAX_DEPTH} levels).")
    try:
        document = json.loads(
            text or "null",
            parse_constant=_refuse_constant,
            parse_int=_bounded_int,
            parse_float=_finite_float,
        )
    except BadInput:
        raise
    except (ValueError, RecursionError):
        raise BadInput("The body is not valid JSON.") from None
    _check_values(document)
    return document
