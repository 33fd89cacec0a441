"""The house input rules (casebridge.inputs) on their own: ids, text, dates, uploads, JSON."""

import contextlib
import io
import json
import struct
import zlib
from base64 import b64encode
from datetime import date

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from casebridge import inputs


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


def _real_png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, height), 255).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("sent", "number"),
    [("0", 0), ("42", 42), ("9" * 18, 10**18 - 1), (7, 7)],
)
def test_ids_are_ascii_digits(sent, number):
    assert inputs.parse_id(sent) == number


@pytest.mark.parametrize(
    "sent",
    ["", "²", "\u0663", "\uff11", "-1", "+1", " 1", "1.0", "1e3", "9" * 19, None, True, -1, 1.0],
)
def test_anything_else_is_no_id(sent):
    assert inputs.parse_id(sent) is None


@given(st.text())
def test_parse_id_never_raises_and_agrees_with_int(text):
    parsed = inputs.parse_id(text)
    if parsed is not None:
        assert parsed == int(text) and text.isascii()


@pytest.mark.parametrize(
    ("text", "multiline", "fine"),
    [
        ("Jamie Rivera", False, True),
        ("José Núñez 李", False, True),
        ("a\tb", False, False),
        ("a\nb", False, False),
        ("a\r\nb\tc", True, True),
        ("a\x00b", True, False),
        ("a\x07b", True, False),
        ("a\x1bb", True, False),
        ("a\x7fb", True, False),
        ("a\x85b", True, False),
        ("a\ud800b", True, False),
    ],
)
def test_control_characters(text, multiline, fine):
    assert (inputs.text_problem(text, multiline=multiline) == "") is fine


def test_text_length_is_counted_in_characters():
    assert inputs.text_problem("é" * 10, max_length=10) == ""
    assert "under 10" in inputs.text_problem("é" * 11, max_length=10)


@pytest.mark.parametrize("when", ["1900-01-01", "2026-02-28", "2100-12-31"])
def test_dates_in_range(when):
    assert inputs.parse_date(when) == date.fromisoformat(when)


@pytest.mark.parametrize(
    "when", ["1899-12-31", "2101-01-01", "9999-12-31", "0001-01-01", "2026-02-30", "20260101", 5]
)
def test_dates_out_of_range_or_shape(when):
    with pytest.raises(ValueError):
        inputs.parse_date(when)


class _Form(inputs.BoundedForm, forms.Form):
    name = forms.CharField()
    story = forms.CharField(widget=forms.Textarea, required=False)
    when = forms.DateField(required=False)
    count = forms.IntegerField(required=False)


def test_a_bounded_form_bounds_every_field():
    form = _Form({"name": "x" * 201, "story": "y" * 2001, "when": "9999-12-31", "count": "9" * 12})
    assert set(form.errors) == {"name", "story", "when", "count"}
    assert _Form({"name": "Jamie", "story": "one\ntwo", "when": "2026-01-01"}).is_valid()


def test_a_bounded_form_bounds_fields_added_after_it_was_made():
    form = _Form({"name": "Jamie", "extra": "a\x07"})
    form.fields["extra"] = forms.CharField()
    assert "extra" in form.errors


def test_a_scan_must_be_a_pdf_png_or_jpeg_by_content():
    assert inputs.check_scan(SimpleUploadedFile("a", b"%PDF-1.7\n")) == "pdf"
    assert inputs.check_scan(SimpleUploadedFile("a", _real_png(40, 20))) == "png"
    for content in (b"GIF89a", b"<html>", b"", b"PK\x03\x04"):
        with pytest.raises(ValidationError):
            inputs.check_scan(SimpleUploadedFile("a.pdf", content, content_type="application/pdf"))


def test_a_scan_is_bounded_in_bytes_and_pixels():
    with pytest.raises(ValidationError, match="10 MB"):
        inputs.check_scan(SimpleUploadedFile("a", b"%PDF-" + b"0" * inputs.MAX_UPLOAD_BYTES))
    with pytest.raises(ValidationError, match="too large"):
        inputs.check_scan(SimpleUploadedFile("a", _png(10_000, 10_000)))
    with pytest.raises(ValidationError, match="could not be read"):
        inputs.check_scan(SimpleUploadedFile("a", b"\x89PNG\r\n\x1a\n" + b"\x00" * 30))


def test_a_drawn_signature_is_a_small_real_png():
    inputs.check_drawn_signature(inputs.PNG_DATA_URL + b64encode(_real_png(600, 180)).decode())
    for data_url in (
        inputs.PNG_DATA_URL + b64encode(_png(20_000, 20_000)).decode(),
        inputs.PNG_DATA_URL + b64encode(_png(2001, 10)).decode(),
        inputs.PNG_DATA_URL + "not base64!",
        inputs.PNG_DATA_URL + b64encode(b"GIF89a").decode(),
        "data:image/svg+xml;base64,PHN2Zz4=",
    ):
        with pytest.raises(ValidationError):
            inputs.check_drawn_signature(data_url)


def test_json_within_bounds_is_read():
    assert inputs.read_json(b'{"a": [1, 2.5, "x\\n", null, true]}') == {
        "a": [1, 2.5, "x\n", None, True]
    }
    assert inputs.read_json(b"") is None


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b'{"a": -Infinity}',
        b'{"a": 1e400}',
        b'{"a": 1234567890123456789}',
        b'{"a": "\\u0000"}',
        b'{"\\u0000": 1}',
        b'{"a": "\\ud800"}',
        b'{"a": "\\udfff x"}',
        b"[" * 21 + b"]" * 21,
        b"[" * 20_000 + b"]" * 20_000,
        json.dumps(list(range(inputs.JSON_MAX_ITEMS + 1))).encode(),
        json.dumps({str(n): n for n in range(inputs.JSON_MAX_ITEMS + 1)}).encode(),
        b'"' + b"x" * inputs.JSON_MAX_BYTES + b'"',
    ],
)
def test_json_beyond_bounds_is_bad_input(body):
    with pytest.raises(inputs.BadInput):
        inputs.read_json(body)


def test_brackets_inside_strings_do_not_count_as_depth():
    assert inputs.read_json(json.dumps({"a": "[" * 100 + '\\"{'}).encode())


@given(st.binary(max_size=200))
def test_read_json_only_ever_raises_bad_input(body):
    with contextlib.suppress(inputs.BadInput):
        inputs.read_json(body)
