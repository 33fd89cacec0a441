"""Note formats: one JSON file per format in formats/ (DAP, SOAP, GIRP, BIRP, free text), read
once and checked for shape. Each is a list of sections with a plain-language label and help; a
program chooses its format (ContactNoteRules), and adding a format needs no code change.

A note keeps the code of the format it was written in and its text by section key, so a later
change of wording in a file relabels old notes but never loses them. Keys are never renamed or
removed from a format once notes use them; a key a file no longer has is shown under its key.
"""

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

FORMAT_DIR = Path(__file__).parent / "formats"
DEFAULT_FORMAT = "dap"
_KEY = re.compile(r"[a-z][a-z_]{0,29}")


class FormatError(ValueError):
    """A format file is not shaped as the code expects: start-up stops, not a person's page."""


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    help: str
    required: bool = True


@dataclass(frozen=True)
class NoteFormat:
    code: str
    name: str
    plain_name: str
    sections: tuple[Section, ...]

    def label_of(self, key: str) -> str:
        return next((s.label for s in self.sections if s.key == key), key)


def _section(raw: Any, where: str) -> Section:
    if not isinstance(raw, dict) or not {"key", "label", "help"} <= raw.keys():
        raise FormatError(f"{where}: each section needs a key, a label and help")
    key = raw["key"]
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise FormatError(f"{where}: a section key is lower-case letters and _ ({key!r})")
    return Section(
        key=key,
        label=str(raw["label"]),
        help=str(raw["help"]),
        required=bool(raw.get("required", True)),
    )


def _load(path: Path) -> NoteFormat:
    raw = json.loads(path.read_text(encoding="utf-8"))
    where = path.name
    if not isinstance(raw, dict) or not isinstance(raw.get("sections"), list):
        raise FormatError(f"{where}: a format has a list of sections")
    if raw.get("code") != path.stem:
        raise FormatError(f"{where}: the code must be the file's name ({path.stem!r})")
    sections = tuple(_section(section, where) for section in raw["sections"])
    if not sections:
        raise FormatError(f"{where}: a format has at least one section")
    if len({s.key for s in sections}) != len(sections):
        raise FormatError(f"{where}: section keys must differ")
    return NoteFormat(
        code=path.stem,
        name=str(raw.get("name") or path.stem.upper()),
        plain_name=str(raw.get("plain_name") or raw.get("name") or path.stem),
        sections=sections,
    )


@cache
def all_formats() -> dict[str, NoteFormat]:
    """Every format, by code, in a stable order (the default first)."""
    found = {path.stem: _load(path) for path in sorted(FORMAT_DIR.glob("*.json"))}
    if DEFAULT_FORMAT not in found:
        raise FormatError(f"The default format {DEFAULT_FORMAT!r} is missing")
    return {DEFAULT_FORMAT: found.pop(DEFAULT_FORMAT), **found}


def note_format(code: str) -> NoteFormat:
    """The format a note was written in; an unknown code falls back to free text so that the
    note can still be read (its sections show under their keys)."""
    formats = all_formats()
    return formats.get(code) or formats.get("free") or formats[DEFAULT_FORMAT]


def format_choices() -> list[tuple[str, str]]:
    return [(code, f.plain_name) for code, f in all_formats().items()]
