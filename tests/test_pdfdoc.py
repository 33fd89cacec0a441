"""The shared PDF document: its footer numbers the pages and keeps braces a name may hold; text
outside Latin-1 is simplified rather than failing."""

from casebridge.pdfdoc import Document, latin1
from tests.pdf_text import pdf_words


def test_the_footer_numbers_pages_and_keeps_braces_in_names():
    pdf = Document(
        title="Referral to {odd} house",
        author="Agency",
        lang="en",
        footer="Referral to {odd} house · Page {page} of {pages}",
    )
    pdf.heading("Hello")
    for number in range(120):
        pdf.paragraph(f"Line {number}")
    words = pdf_words(pdf.finished())
    assert "Referral to {odd} house · Page 1 of 3" in words
    assert "Referral to {odd} house · Page 3 of 3" in words


def test_text_outside_latin_1_is_simplified():
    assert latin1("Ærø “quoted” — café ✓") == 'Ærø "quoted" - café ?'
