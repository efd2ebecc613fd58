"""Bodies to text: charsets, odd pages and broken PDFs."""

from __future__ import annotations

import pytest

from sandbox.sample_companies import COMPANIES
from integrations.web import WebFetchError
from integrations.web.extract import decode, html_text, pdf_text
from sandbox.sample_sites import sample_pdf


def test_it_uses_a_charset_declared_in_a_meta_tag():
    body = (
        '<html><head><meta charset="windows-1252"><title>Café</title></head>'
        "<body><p>Café “Zürich”</p></body></html>"
    )
    title, text = html_text(body.encode("cp1252"), None, truncated=False)
    assert title == "Café" and text == "Café “Zürich”"


def test_a_header_charset_beats_the_meta_tag_and_a_bom_beats_both():
    body = '<html><head><meta charset="utf-8"></head><body><p>Müller</p></body></html>'
    assert "Müller" in decode(body.encode("latin-1"), "iso-8859-1", is_html=True, truncated=False)
    assert decode(b"\xef\xbb\xbfM\xc3\xbcller", "iso-8859-1", is_html=False, truncated=False) == "Müller"


def test_a_body_cut_inside_a_character_does_not_turn_into_mojibake():
    cut = "Zoë Châtelain, Zürich".encode()[:-1]
    assert decode(cut, None, is_html=False, truncated=True) == "Zoë Châtelain, Züric"
    assert decode("Zü".encode()[:-1], None, is_html=False, truncated=True) == "Z"


def test_an_undeclared_legacy_page_is_read_as_windows_1252_like_browsers_do():
    text = "Grüße aus Köln und schöne Grüße an die Gründer"
    assert decode(text.encode("cp1252"), None, is_html=False, truncated=False) == text


def test_an_empty_page_gives_its_title_and_no_text():
    assert html_text(
        b"<html><head><title> Coming   soon </title></head><body></body></html>", None, truncated=False
    ) == ("Coming soon", "")


def test_pdf_extraction_stops_once_it_has_enough_text():
    title, text = pdf_text(sample_pdf(COMPANIES[1]), max_chars=10)
    assert title == "Ledgerleaf investor summary" and text.startswith("Ledgerleaf - Investor summary")


def test_a_broken_pdf_is_refused_with_a_reason():
    with pytest.raises(WebFetchError) as caught:
        pdf_text(b"%PDF-1.4\nthis is not really a pdf", max_chars=1000)
    assert caught.value.code == "unsupported_content_type" and "PDF could not be read" in caught.value.message
