"""Which of a record's files is its deck, and how a deck past OpenAI's limit is cut (pure logic)."""

import io

import pypdf
import pytest

from integrations.salesforce.files import FileVersion
from integrations.web import documents
from integrations.web.errors import WebFetchError
from pipelines.models import Pipeline
from pipelines.services.decks import deck_choose
from sandbox.decks import corrupt_pdf, deck_pdf, deck_pptx, empty_pdf, encrypted_pdf


def _file(version_id, *, title="Deck", file_type="PDF", created="2026-11-01T10:00:00.000+0000"):
    return FileVersion(record_id="001000000000001AAA", content_document_id="069" + version_id[3:],
                       content_version_id=version_id, title=title, file_type=file_type, file_extension="pdf",
                       size=100, version_number="1", created_date=created)


def test_the_default_is_the_newest_pdf():
    files = [_file("068A", created="2026-10-01T00:00:00.000+0000"),
             _file("068B", created="2026-11-02T00:00:00.000+0000"),
             _file("068C", file_type="POWER_POINT_X", created="2026-12-01T00:00:00.000+0000"),
             _file("068D", file_type="EXCEL_X", created="2026-12-02T00:00:00.000+0000")]
    assert deck_choose(Pipeline(), files).content_version_id == "068B"


def test_types_and_a_title_pattern_narrow_the_choice_and_the_first_type_wins_a_tie():
    pipeline = Pipeline(deck_file_types="POWER_POINT_X, PDF", deck_title_pattern=r"deck|pitch")
    same_time = "2026-11-01T00:00:00.000+0000"
    files = [_file("068A", title="Financials", created="2026-12-01T00:00:00.000+0000"),
             _file("068B", title="Pitch Deck", created=same_time),
             _file("068C", title="pitch deck", file_type="POWER_POINT_X", created=same_time)]
    assert deck_choose(pipeline, files).content_version_id == "068C"
    assert deck_choose(Pipeline(deck_title_pattern="^memo"), files) is None
    assert deck_choose(Pipeline(deck_file_types=""), files) is None  # decks off
    assert deck_choose(Pipeline(), []) is None


def _read(body, **options):
    return documents.read(documents.PDF, body, **{"max_pages": 100, "max_bytes": 32 * 2**20, "max_chars": 60_000,
                                                 "cut": True, **options})


def test_a_deck_within_the_limits_is_sent_whole_with_its_pages_text():
    document = _read(deck_pdf("Acme", ["ARR of $4.2M", "Team of nine"]))
    assert document.pages == 3 and document.cut is None
    assert "ARR of $4.2M" in document.page_texts[1]


def test_a_deck_past_the_page_limit_is_cut_to_its_first_pages():
    document = _read(deck_pdf("Long", page_count=150))
    assert document.pages == 150 and document.cut_pages == 100
    assert len(pypdf.PdfReader(io.BytesIO(document.cut)).pages) == 100


def test_a_deck_past_the_size_limit_is_cut_to_the_first_pages_that_fit():
    pages = [f"Page {n}: " + "photo " * 400 for n in range(2, 41)]
    body = deck_pdf("Heavy", pages)
    document = _read(body, max_bytes=len(body) // 2)
    assert document.cut is not None and len(document.cut) <= len(body) // 2
    assert 0 < document.cut_pages < 40
    cut = pypdf.PdfReader(io.BytesIO(document.cut))
    assert len(cut.pages) == document.cut_pages and "Heavy" in cut.pages[0].extract_text()


def test_without_cutting_nothing_is_cut_but_the_text_is_there():
    document = _read(deck_pdf("Long", page_count=150), cut=False)
    assert document.cut is None and document.pages == 150 and len(document.page_texts) == 150


@pytest.mark.parametrize(("body", "code"), [
    (b"", "empty"), (empty_pdf(), "empty"), (corrupt_pdf("X"), "corrupt"), (encrypted_pdf("X"), "encrypted"),
])
def test_bad_pdfs_are_refused_with_a_reason(body, code):
    with pytest.raises(WebFetchError) as refused:
        _read(body)
    assert refused.value.code == code and refused.value.permanent


def test_powerpoint_becomes_slide_text_and_a_broken_one_is_refused():
    document = documents.read(documents.PPTX, deck_pptx("Acme", ["Revenue 2026: $3M"]), max_pages=100,
                              max_bytes=2**20, max_chars=10_000, cut=True)
    assert document.pages == 2 and "Revenue 2026: $3M" in document.page_texts[1]
    with pytest.raises(WebFetchError) as refused:
        documents.read(documents.PPTX, b"PK\x03\x04 not really", max_pages=100, max_bytes=2**20,
                       max_chars=10_000, cut=True)
    assert refused.value.code == "corrupt"
