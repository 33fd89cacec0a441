"""The words a PDF shows, read back for tests: no PDF reader is installed, so this inflates the
FlateDecode content streams and reads the text operators (Tj, ', ", TJ). Good enough for the
Latin-1 text fpdf2's core fonts write (WinAnsiEncoding); not a general PDF parser."""

import re
import zlib

_STREAM = re.compile(rb"<<(?P<dict>.*?)>>\s*stream\r?\n(?P<body>.*?)\r?\nendstream", re.S)
# A literal string, with balanced or escaped parentheses, or a hex string.
_LITERAL = rb"\((?:\\.|[^\\()])*\)"
_HEX = rb"<[0-9A-Fa-f\s]*>"
_SHOW = re.compile(
    rb"(?P<one>" + _LITERAL + rb"|" + _HEX + rb")\s*(?:Tj|'|\")"
    rb"|\[(?P<many>(?:\s*(?:" + _LITERAL + rb"|" + _HEX + rb"|-?[\d.]+))*\s*)\]\s*TJ"
    rb"|(?P<newline>T\*|Td|TD|ET)"
)
_PART = re.compile(rb"(" + _LITERAL + rb"|" + _HEX + rb")")
_ESCAPES = {
    b"n": b"\n",
    b"r": b"\r",
    b"t": b"\t",
    b"b": b"\b",
    b"f": b"\f",
    b"(": b"(",
    b")": b")",
    b"\\": b"\\",
}


def _string(token: bytes) -> str:
    if token.startswith(b"<"):
        return bytes.fromhex(re.sub(rb"\s", b"", token[1:-1]).decode()).decode("cp1252", "replace")
    body, out, i = token[1:-1], bytearray(), 0
    while i < len(body):
        char = body[i : i + 1]
        if char != b"\\":
            out += char
            i += 1
            continue
        following = body[i + 1 : i + 2]
        octal = re.match(rb"[0-7]{1,3}", body[i + 1 : i + 4])
        if octal:
            out.append(int(octal.group(), 8) & 0xFF)
            i += 1 + len(octal.group())
        elif following in (b"\n", b"\r"):
            i += 2
        else:
            out += _ESCAPES.get(following, following)
            i += 2
    return out.decode("cp1252", "replace")


def content_streams(pdf: bytes) -> list[bytes]:
    """Every stream in the file, inflated where it is FlateDecode-compressed."""
    streams = []
    for match in _STREAM.finditer(pdf):
        body = match.group("body")
        if b"/FlateDecode" in match.group("dict"):
            # The end marker's "\r?\n" takes a carriage return that was the last byte of the
            # compressed data (one stream in 256): give it back when the data comes up short.
            try:
                body = zlib.decompress(body)
            except zlib.error:
                try:
                    body = zlib.decompress(body + b"\r")
                except zlib.error:
                    continue
        streams.append(body)
    return streams


def pdf_text(pdf: bytes) -> str:
    """The shown text of every page, one line per text-positioning step, spaces normalised."""
    assert pdf.startswith(b"%PDF-"), "not a PDF"
    pieces: list[str] = []
    for stream in content_streams(pdf):
        for match in _SHOW.finditer(stream):
            if match.group("one"):
                pieces.append(_string(match.group("one")))
            elif match.group("many") is not None:
                pieces.append("".join(_string(p) for p in _PART.findall(match.group("many"))))
            else:
                pieces.append("\n")
    lines = "".join(pieces).splitlines()
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())


def pdf_words(pdf: bytes) -> str:
    """The shown text as one line, so a sentence wrapped across lines still reads whole."""
    return " ".join(pdf_text(pdf).split())
