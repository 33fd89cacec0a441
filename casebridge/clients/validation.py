"""Checks on what people type about a client, with messages a case manager understands."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

# ASCII digits only: Arabic-Indic or superscript digits pass \d and str.isdigit(), but no phone
# system dials them.
PHONE_DIGITS = re.compile(r"[0-9]")


def clean_phone(raw: str) -> str:
    """Keep a phone number as digits (with a leading + for international numbers)."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    if re.search(r"[^0-9 ()+.\-]", raw):
        raise ValidationError(
            "A phone number can only have digits (0 to 9), spaces, brackets, dots, dashes and +."
        )
    digits = "".join(PHONE_DIGITS.findall(raw))
    if raw.startswith("+"):
        if not 8 <= len(digits) <= 15:
            raise ValidationError("An international number has 8 to 15 digits after the +.")
        return "+" + digits
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        raise ValidationError("Enter a 10-digit phone number, like 555-123-4567.")
    return digits


def format_phone(stored: str) -> str:
    if re.fullmatch(r"[0-9]{10}", stored):
        return f"({stored[:3]}) {stored[3:6]}-{stored[6:]}"
    return stored


def clean_date_of_birth(value: date) -> date:
    today = timezone.localdate()
    if value > today:
        raise ValidationError("The date of birth cannot be in the future.")
    if value.year < today.year - 120:
        raise ValidationError("Check the year: that would make the client over 120.")
    if value > today.replace(year=today.year - 10):
        raise ValidationError("Check the year: that would make the client under 10.")
    return value
