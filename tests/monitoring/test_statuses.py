"""The note's status table, every move, and the note formats as data."""

import json

import pytest

from casebridge.monitoring import formats
from casebridge.monitoring.statuses import MOVES, NoteStatus, is_allowed

ALLOWED = {
    ("draft", "signed"),
    ("draft", "awaiting_cosign"),
    ("awaiting_cosign", "signed"),
}


@pytest.mark.parametrize("to_status", NoteStatus.values)
@pytest.mark.parametrize("from_status", NoteStatus.values)
def test_every_move_of_a_note(from_status, to_status):
    assert is_allowed(from_status, to_status) is ((from_status, to_status) in ALLOWED)


def test_every_status_has_a_row():
    assert set(MOVES) == set(NoteStatus.values)


def test_the_formats_the_programs_choose_from():
    found = formats.all_formats()
    assert list(found) == ["dap", "birp", "free", "girp", "soap"]
    assert [s.key for s in found["dap"].sections] == ["data", "assessment", "plan"]
    assert [s.key for s in found["soap"].sections] == [
        "subjective",
        "objective",
        "assessment",
        "plan",
    ]
    assert [s.key for s in found["girp"].sections] == ["goals", "intervention", "response", "plan"]
    assert [s.key for s in found["birp"].sections] == [
        "behaviour",
        "intervention",
        "response",
        "plan",
    ]
    for note_format in found.values():
        assert all(s.label and s.help and s.required for s in note_format.sections)


@pytest.mark.parametrize(
    "content",
    [
        {"code": "odd", "sections": []},
        {"code": "odd", "sections": [{"key": "Data!", "label": "x", "help": "y"}]},
        {"code": "odd", "sections": [{"key": "a", "label": "x"}]},
        {"code": "other", "sections": [{"key": "a", "label": "x", "help": "y"}]},
        {"code": "odd", "sections": [{"key": "a", "label": "x", "help": "y"}] * 2},
    ],
)
def test_a_misshapen_format_file_is_refused(tmp_path, content):
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(content))
    with pytest.raises(formats.FormatError):
        formats._load(path)


def test_an_unknown_format_is_still_readable_as_free_text():
    assert formats.note_format("retired").code == "free"
