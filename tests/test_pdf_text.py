"""The tests' PDF reader reads every stream, whatever byte its compressed data ends with."""

import zlib

from tests.pdf_text import pdf_text


def _pdf_with(content: bytes) -> bytes:
    data = zlib.compress(content)
    return (
        b"%PDF-1.3\n1 0 obj\n<< /Filter /FlateDecode /Length "
        + str(len(data)).encode()
        + b" >>\nstream\n"
        + data
        + b"\nendstream\nendobj\n%%EOF\n"
    )


def test_a_stream_whose_compressed_data_ends_in_a_carriage_return_is_read():
    for n in range(5000):
        content = f"BT (Screen result {n}{'.' * (n % 300)}) Tj ET".encode()
        if zlib.compress(content).endswith(b"\r"):
            break
    else:
        raise AssertionError("no such stream found")
    assert pdf_text(_pdf_with(content)) == f"Screen result {n}{'.' * (n % 300)}"


def test_an_ordinary_stream_is_read():
    assert pdf_text(_pdf_with(b"BT (Cocaine: positive) Tj ET")) == "Cocaine: positive"
