"""The safety plan as a PDF the client can keep, in English or Spanish (casebridge.pdfdoc: the
built-in fonts cover both; the HTML print view shows every script as typed)."""

from casebridge.pdfdoc import MUTED, Document, signature_section
from casebridge.safety.printing import PrintedSafetyPlan


def safety_plan_pdf(printed: PrintedSafetyPlan) -> bytes:
    words = printed.words
    pdf = Document(
        title=words["title"], author="Casebridge", lang=printed.lang, footer=words["page"]
    )
    pdf.heading(words["title"], 18)
    pdf.paragraph(printed.intro, 11, leading=6)
    pdf.paragraph(words["emergency"], 11, bold=True, leading=6)
    pdf.ln(3)
    for section in printed.sections:
        pdf.heading(section.heading, 12.5)
        if not section.lines:
            pdf.paragraph(words["nothing"], 11, MUTED, indent=4, leading=6)
        for line in section.lines:
            pdf.paragraph(f"- {line}", 11, indent=4, leading=6)
        pdf.ln(2)
    signature_section(pdf, words["signed"], words["not_signed"], printed.signatures)
    pdf.ln(4)
    pdf.paragraph(words["footer"], 9.5, MUTED, leading=5)
    if printed.part2:
        pdf.paragraph(words["part2"], 9.5, MUTED, leading=5)
    return pdf.finished()
