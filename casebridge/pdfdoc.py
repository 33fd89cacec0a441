"""Plain-language documents as PDF (a care plan for the client, a referral packet for a
provider): one page layout, headings, "label: text" facts and paragraphs.

Built with fpdf2 (pure Python, nothing to install on the machine). Its built-in fonts cover
Latin-1, which holds English and Spanish; other characters are simplified (accents dropped) or
shown as '?', and each document's HTML view shows every script as typed.
"""

import base64
import binascii
import contextlib
import io
import unicodedata
from typing import Any

from fpdf import FPDF

_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
    }
)
INK = (27, 36, 48)
MUTED = (75, 85, 99)


def latin1(text: Any) -> str:
    """Text the built-in PDF fonts can draw."""
    shown = []
    for char in str(text or "").translate(_PLAIN):
        try:
            char.encode("latin-1")
            shown.append(char)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
            shown.append(base or "?")
    return "".join(shown)


class Document(FPDF):
    """A US Letter page with margins, a footer line on every page ({page} and {pages} are
    filled in), and the few kinds of text plain-language documents are made of."""

    def __init__(self, *, title: str, author: str, lang: str, footer: str) -> None:
        super().__init__(format="Letter")
        self.footer_text = footer
        self.set_title(title)
        self.set_author(author)
        self.set_lang(lang)
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(auto=True, margin=18)
        self.add_page()

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("helvetica", size=8)
        self.set_text_color(*MUTED)
        # Replaced, not formatted: a name in the footer may hold braces of its own.
        shown = self.footer_text.replace("{page}", str(self.page_no())).replace("{pages}", "{nb}")
        self.cell(0, 6, latin1(shown), align="C")

    def heading(self, text: str, size: float = 13) -> None:
        self.set_font("helvetica", style="B", size=size)
        self.set_text_color(*INK)
        self.multi_cell(self.epw, size * 0.5, latin1(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def fact(self, label: str, text: str, indent: float = 0) -> None:
        """ "Label: text" on one line, the text wrapping under itself; nothing when empty."""
        if not text:
            return
        self.set_x(self.l_margin + indent)
        self.set_font("helvetica", style="B", size=10.5)
        self.set_text_color(*MUTED)
        shown = latin1(f"{label}: ")
        self.write(5.5, shown)
        self.set_font("helvetica", size=10.5)
        self.set_text_color(*INK)
        self.multi_cell(
            self.epw - indent - self.get_string_width(shown) - 1,
            5.5,
            latin1(text),
            new_x="LMARGIN",
            new_y="NEXT",
        )

    def paragraph(
        self,
        text: str,
        size: float = 10.5,
        colour: tuple[int, int, int] = INK,
        *,
        indent: float = 0,
        bold: bool = False,
        leading: float | None = None,
    ) -> None:
        self.set_x(self.l_margin + indent)
        self.set_font("helvetica", style="B" if bold else "", size=size)
        self.set_text_color(*colour)
        self.multi_cell(
            self.epw - indent,
            leading if leading is not None else size * 0.52,
            latin1(text),
            new_x="LMARGIN",
            new_y="NEXT",
        )

    def finished(self) -> bytes:
        return bytes(self.output())


def signature_drawing(image: str) -> io.BytesIO | None:
    """A signature drawn on screen (a PNG data URL), ready to place in a PDF; None for anything
    else."""
    prefix = "data:image/png;base64,"
    if not image.startswith(prefix):
        return None
    try:
        return io.BytesIO(base64.b64decode(image[len(prefix) :], validate=True))
    except (ValueError, binascii.Error):
        return None


def signature_section(pdf: "Document", heading: str, not_signed: str, signatures: Any) -> None:
    """Who signed a printed plan (each with `label`, `text` and a drawn `image`), the drawings
    placed under their names."""
    pdf.heading(heading, 12.5)
    if not signatures:
        pdf.paragraph(not_signed, 11, leading=6)
    for signature in signatures:
        pdf.fact(signature.label, signature.text, 4)
        drawing = signature_drawing(signature.image)
        if drawing is not None:
            # A damaged drawing must not stop the plan from printing; the record keeps it.
            with contextlib.suppress(Exception):
                pdf.image(drawing, x=pdf.l_margin + 4, w=55)
