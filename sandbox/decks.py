"""Pitch decks made at run time for tests, the demo and the benchmark (no binary files are committed).

PDFs come from fpdf2 (pages of text, as a founder's slides would read), PowerPoint files from
python-pptx; the bad ones a real inbox holds are made on purpose: encrypted, corrupt, empty, huge.
"""

from __future__ import annotations

import io
import os

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter


def deck_pdf(company: str, pages: list[str] | None = None, *, page_count: int | None = None,
             padding_bytes: int = 0) -> bytes:
    """A landscape deck: a title page, then one page per text (or `page_count` filler pages).
    `padding_bytes` of incompressible data ride along as an attachment (a deck full of photos)."""
    texts = list(pages) if pages is not None else [
        f"{company}: slide {number} of {page_count}." for number in range(2, (page_count or 4) + 1)]
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.set_font("helvetica", size=28)
    pdf.add_page()
    pdf.multi_cell(0, 14, _latin1(f"{company}\nInvestor presentation"))
    pdf.set_font("helvetica", size=16)
    for text in texts[: (page_count - 1) if page_count else None]:
        pdf.add_page()
        pdf.multi_cell(0, 9, _latin1(text))
    data = bytes(pdf.output())
    if padding_bytes:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        writer.add_attachment("photos.bin", os.urandom(padding_bytes))
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    return data


def encrypted_pdf(company: str, password: str = "founders-only") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(deck_pdf(company))))
    writer.encrypt(user_password=password, owner_password=password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def corrupt_pdf(company: str) -> bytes:
    """A PDF cut off in the middle (a failed upload), its header intact: it looks like a PDF and is not one."""
    whole = deck_pdf(company)
    return whole[:40] + b"\x00garbage\xff" * 20


def empty_pdf() -> bytes:
    """A well-formed PDF without a single page."""
    out = io.BytesIO()
    PdfWriter().write(out)
    return out.getvalue()


def deck_pptx(company: str, slides: list[str]) -> bytes:
    from pptx import Presentation

    presentation = Presentation()
    layout = presentation.slide_layouts[1]  # title and content
    for number, text in enumerate([f"{company}", *slides], 1):
        slide = presentation.slides.add_slide(layout)
        slide.shapes.title.text = company if number == 1 else f"{company} ({number})"
        slide.placeholders[1].text = text
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def _latin1(text: str) -> str:
    # The core fonts speak Latin-1; anything else becomes "?" rather than an error.
    return text.encode("latin-1", "replace").decode("latin-1")


# The demo's sample company whose deck is broken on purpose (a corrupt upload): its pitch is assessed
# without it, and its page says why.
BROKEN_DECK_INDEX = 1


def company_deck(company) -> bytes:
    """A sample company's deck (sandbox.sample_companies.SampleCompany): four pages, one fact — the
    head count and founding year, and the last round's lead — on the pages only, for the answer to cite."""
    founders = "\n".join(f"{f.full_name}, {f.title}" for f in company.founders)
    round_ = company.last_round
    return deck_pdf(company.name, [
        f"The problem and our answer\n\n{company.pitch}\n\n{company.description}",
        f"Traction\n\n{company.traction}\n\nTeam of {company.employees} since {company.founded}.",
        f"Team\n\n{founders}\n\nBased in {company.location}.",
        f"The round\n\nRaised so far: ${company.total_raised_usd:,}. Last round: {round_.kind} of "
        f"${round_.amount_usd:,} ({round_.date}), led by {round_.lead_investor}.\n"
        f"Investors: {', '.join(company.investors) or 'none yet'}.",
    ])
