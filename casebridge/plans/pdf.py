"""The care plan as a PDF the client can take home, in plain language (casebridge.pdfdoc: the
built-in fonts cover English and Spanish; the HTML print view shows every script as typed)."""

from casebridge.pdfdoc import MUTED, Document, signature_section
from casebridge.plans.printing import PrintedPlan


def plan_pdf(printed: PrintedPlan) -> bytes:
    words = printed.words
    pdf = Document(
        title=words["title"], author="Casebridge", lang=printed.lang, footer=words["page"]
    )
    pdf.heading(words["title"], 18)
    pdf.paragraph(printed.intro, 11, leading=6)
    pdf.ln(3)
    for need in printed.needs:
        pdf.heading(need.heading, 12.5)
        for goal in need.goals:
            pdf.paragraph(goal.title, 11.5, indent=4, bold=True, leading=6)
            for label, value in goal.facts:
                pdf.fact(label, value, 4)
            for step in goal.steps:
                pdf.fact(words["step"], step, 8)
            for action in goal.actions:
                pdf.fact(words["action"], action, 8)
            pdf.ln(2)
    if printed.coming_up:
        pdf.heading(words["coming_up"], 12.5)
        for when, title in printed.coming_up:
            pdf.fact(when, title, 4)
        pdf.ln(2)
    signature_section(pdf, words["signed"], words["not_signed"], printed.signatures)
    pdf.ln(4)
    pdf.paragraph(words["footer"], 9.5, MUTED, leading=5)
    if printed.part2:
        pdf.paragraph(words["part2"], 9.5, MUTED, leading=5)
    return pdf.finished()
