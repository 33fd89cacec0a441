"""The care plan as a PDF the client can take home, in plain language.

Built with fpdf2 (pure Python, nothing to install on the machine). Its built-in fonts cover
Latin-1, which holds English and Spanish; other characters are simplified (accents dropped) or
shown as '?', and the HTML print view shows every script as typed.
"""

import base64
import binascii
import io
import unicodedata
from datetime import date
from typing import Any

from fpdf import FPDF

from casebridge.plans.models import CarePlan

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


def _date(value: date | None) -> str:
    return value.strftime("%B %-d, %Y") if value else ""


class _PlanPDF(FPDF):
    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("helvetica", size=8)
        self.set_text_color(*MUTED)
        self.cell(
            0,
            6,
            latin1(f"This is your plan. It is private. Page {self.page_no()} of {{nb}}"),
            align="C",
        )


def plan_pdf(
    *,
    client: Any,
    plan: CarePlan,
    tree: list[dict[str, Any]],
    signatures: list[Any],
    tasks: list[Any],
    **_: Any,
) -> bytes:
    pdf = _PlanPDF(format="Letter")
    pdf.set_title("My recovery plan")
    pdf.set_author("Casebridge")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    width = pdf.epw

    def heading(text: str, size: int = 13) -> None:
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

    heading("My recovery plan", 18)
    pdf.set_font("helvetica", size=11)
    pdf.set_text_color(*INK)
    status = "in effect" if plan.status == "active" else plan.get_status_display().lower()
    started = _date(plan.activated_at.date()) if plan.activated_at else "not yet in effect"
    pdf.multi_cell(
        width,
        6,
        latin1(f"{client.display_name}. Version {plan.sequence}, {status}; started {started}."),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    for n, entry in enumerate(tree, start=1):
        problem = entry["problem"]
        heading(f"{n}. What we are working on: {problem.statement}", 12.5)
        for goal_entry in entry["goals"]:
            goal = goal_entry["goal"]
            pdf.set_font("helvetica", style="B", size=11.5)
            pdf.set_text_color(*INK)
            pdf.set_x(pdf.l_margin + 4)
            pdf.multi_cell(
                width - 4,
                6,
                latin1(f'My goal: "{goal.own_words}"'),
                new_x="LMARGIN",
                new_y="NEXT",
            )
            line("How we will know", goal.measurable, 4)
            line("By", f"{_date(goal.target_date)} ({goal.get_term_display().lower()})", 4)
            line("What I can build on", goal.strength, 4)
            for objective in goal_entry["objectives"]:
                when = f" (by {_date(objective.target_date)})" if objective.target_date else ""
                line("Step", f"{objective.text}{when}", 8)
            for intervention in goal_entry["interventions"]:
                who = intervention.get_responsible_display()
                if intervention.provider_name:
                    who = f"{who}: {intervention.provider_name}"
                line(
                    "What will happen",
                    f"{intervention.action} - {who}, {intervention.get_frequency_display().lower()}",
                    8,
                )
            pdf.ln(2)
    if tasks:
        heading("Coming up", 12.5)
        for task in tasks:
            line(_date(task.due_on), task.title, 4)
        pdf.ln(2)
    heading("Agreed and signed", 12.5)
    if not signatures:
        line("Signatures", "Not signed yet.", 4)
    for signature in signatures:
        how = signature.get_method_display().lower()
        witness = f" (witness: {signature.witness_name})" if signature.witness_name else ""
        line(
            signature.get_role_display(),
            f"{signature.name}, {how}{witness}, {_date(signature.signed_at.date())}",
            4,
        )
        drawing = _drawing(signature.image)
        if drawing is not None:
            try:
                pdf.image(drawing, x=pdf.l_margin + 4, w=55)
            except Exception:  # a damaged drawing must not stop the plan from printing
                line("Signature", "drawn on screen (kept on the record)", 4)
    pdf.ln(4)
    pdf.set_font("helvetica", size=9.5)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(
        width,
        5,
        latin1(
            "You can ask to change this plan at any time. If you are in crisis, call or text 988."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
