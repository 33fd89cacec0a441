"""Canonical JSON for hashing: the same text for a value before it is stored and after the
database gives it back, on SQLite and on PostgreSQL alike.

PostgreSQL's jsonb keeps numbers as exact decimals, not as Python wrote them: 1e20 comes back as
the integer 100000000000000000000, -0.0 as 0.0, 2.0 may come back as 2; it also reorders keys and
refuses the NUL character. So numbers are written by their value (1e20, 1e+20, 1E20 and
100000000000000000000 are one number; zero has no sign), object keys are sorted, and `storable`
first replaces what no database would keep.
"""

import json
import math
import re
from decimal import Decimal
from typing import Any

# NUL is refused by jsonb; a lone surrogate cannot be encoded as UTF-8 (and an escaped pair of
# them comes back from jsonb as the one character it stands for).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def storable(value: Any) -> Any:
    """The value as both databases store and return it: no NUL or lone surrogates in text,
    no NaN or infinity as numbers (they become the strings "NaN", "Infinity", "-Infinity")."""
    if isinstance(value, str):
        return _UNSTORABLE.sub(REPLACEMENT, value)
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {storable(str(key)): storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [storable(item) for item in value]
    return value


def _number(value: Decimal) -> str:
    sign, digit_tuple, exponent = value.as_tuple()
    assert isinstance(exponent, int), "only finite numbers reach here"
    digits = "".join(str(d) for d in digit_tuple).lstrip("0")
    if not digits:
        return "0"
    significant = digits.rstrip("0")
    exponent += len(digits) - len(significant)
    text = ("-" if sign else "") + significant
    return f"{text}e{exponent}" if exponent else text


def _integer(value: int) -> str:
    """An integer as _number writes it (trailing zeros as an exponent), without the Decimal: a
    list of a caseload's client ids is most of what a page's audit event hashes."""
    if value == 0:
        return "0"
    digits = str(abs(value))
    significant = digits.rstrip("0")
    exponent = len(digits) - len(significant)
    text = ("-" if value < 0 else "") + significant
    return f"{text}e{exponent}" if exponent else text


def canonical_json(value: Any) -> str:
    """One text per JSON value, whichever database the value came back from."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return _integer(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(
                "NaN and infinity are not JSON numbers; pass values through storable()"
            )
        # repr is the shortest text that reads back as the same float; jsonb keeps its digits.
        return _number(Decimal(repr(value)))
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ",".join(canonical_json(item) for item in value) + "]"
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("JSON object keys are strings")
        return (
            "{"
            + ",".join(f"{json.dumps(key)}:{canonical_json(value[key])}" for key in sorted(value))
            + "}"
        )
    raise TypeError(f"{type(value).__name__} is not a JSON value")
