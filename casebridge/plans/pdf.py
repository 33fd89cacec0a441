"""The care plan as a PDF the client can take home, in plain language.

Built with fpdf2 (pure Python, nothing to install on the machine). Its built-in fonts cover
Latin-1, which holds English and Spanish; other characters are simplified (accents dropped) or
shown as '?', and the HTML print view shows every script as typed.
"""

import base64
import binascii
import contextlib
import io
import unicodedata
from typing import Any

from fpdf import FPDF

from casebridge.plans.printing import PrintedPlan

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


def _drawing(image: str) -> io.BytesIO | None:
    """A signature drawn on screen (a PNG data URL), ready to place in the PDF."""
    prefix = "data:image/png;base64,"
    if not image.startswith(prefix):
        return None
    try:
        return io.BytesIO(base64.b64decode(image[len(prefix) :], validate=True))
    except (ValueError, binascii.Error):
        return None


class _PlanPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("helvetica", size=8)
        self.set_text_color(*MUTED)
        self.cell(
            0, 6, latin1(self.footer_text.format(page=self.page_no(), pages="{nb}")), align="C"
        )


def plan_pdf(printed: PrintedPlan) -> bytes:
    words = printed.words
    pdf = _PlanPDF(format="Letter")
    pdf.footer_text = words["page"]
    pdf.set_title(words["title"])
    pdf.set_author("Casebridge")
    pdf.set_lang(printed.lang)
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    width = pdf.epw

    def heading(text: str, size: float = 13) -> None:
        pdf.set_font("helvetica", style="B", size=size)
        pdf.set_text_color(*INK)
        pdf.multi_cell(width, size * 0.5, latin1(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)

    def line(label: str, text: str, indent: float = 0) -> None:
        if not text:
            return
        pdf.set_x(pdf.l_margin + indent)
        pdf.set_font("helvetica", style="B", size=10.5)
        pdf.set_text_color(*MUTED)
        pdf.write(5.5, latin1(f"{label}: "))
        pdf.set_font("helvetica", size=10.5)
        pdf.set_text_color(*INK)
        pdf.multi_cell(
            width - indent - pdf.get_string_width(latin1(f"{label}: ")) - 1,
            5.5,
            latin1(text),
            new_x="LMARGIN",
            new_y="NEXT",
        )

    heading(words["title"], 18)
    pdf.set_font("helvetica", size=11)
    pdf.set_text_color(*INK)
    pdf.multi_cell(width, 6, latin1(printed.intro), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for need in printed.needs:
        heading(need.heading, 12.5)
        for goal in need.goals:
            pdf.set_font("helvetica", style="B", size=11.5)
            pdf.set_text_color(*INK)
            pdf.set_x(pdf.l_margin + 4)
            pdf.multi_cell(width - 4, 6, latin1(goal.title), new_x="LMARGIN", new_y="NEXT")
            for label, value in goal.facts:
                line(label, value, 4)
            for step in goal.steps:
                line(words["step"], step, 8)
            for action in goal.actions:
                line(words["action"], action, 8)
            pdf.ln(2)
    if printed.coming_up:
        heading(words["coming_up"], 12.5)
        for when, title in printed.coming_up:
            line(when, title, 4)
        pdf.ln(2)
    heading(words["signed"], 12.5)
    if not printed.signatures:
        pdf.multi_cell(width, 6, latin1(words["not_signed"]), new_x="LMARGIN", new_y="NEXT")
    for signature in printed.signatures:
        line(signature.label, signature.text, 4)
        drawing = _drawing(signature.image)
        if drawing is not None:
            # A damaged drawing must not stop the plan from printing; the record keeps it.
            with contextlib.suppress(Exception):
                pdf.image(drawing, x=pdf.l_margin + 4, w=55)
    pdf.ln(4)
    pdf.set_font("helvetica", size=9.5)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(width, 5, latin1(words["footer"]), new_x="LMARGIN", new_y="NEXT")
    if printed.part2:
        pdf.multi_cell(width, 5, latin1(words["part2"]), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
