"""The discharge summary and the aftercare plan as PDFs the client can keep, in English or Spanish (casebridge.pdfdoc:
the built-in fonts cover both; the page on screen shows every script as typed)."""

from casebridge.discharge.printing import PrintedSummary
from casebridge.pdfdoc import MUTED, Document


def printed_pdf(printed: PrintedSummary, *, footer_key: str = "page") -> bytes:
    words = printed.words
    pdf = Document(
        title=printed.title, author="Casebridge", lang=printed.lang, footer=words[footer_key]
    )
    pdf.heading(printed.title, 18)
    for line in printed.intro:
        pdf.paragraph(line, 11, leading=6)
    pdf.paragraph(words["emergency"], 11, bold=True, leading=6)
    pdf.ln(3)
    for section in printed.sections:
        pdf.heading(section.heading, 14 if section.level == 2 else 12)
        if not section.lines and section.empty:
            pdf.paragraph(section.empty, 11, MUTED, indent=4, leading=6)
        for line in section.lines:
            pdf.paragraph(f"- {line}", 11, indent=4, leading=6)
        pdf.ln(2)
    pdf.ln(4)
    pdf.paragraph(words["footer"], 9.5, MUTED, leading=5)
    if printed.part2:
        pdf.paragraph(words["part2"], 9.5, MUTED, leading=5)
    return pdf.finished()
