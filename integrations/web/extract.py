"""Readable text from a fetched body: HTML, plain text or PDF."""

from __future__ import annotations

import codecs
import io
import re

import pypdf
import trafilatura
from bs4 import BeautifulSoup, SoupStrainer
from bs4.dammit import EncodingDetector

from integrations.web.errors import WebFetchError

# Browsers read these labels as windows-1252 (WHATWG Encoding), and so do pages labelled that way.
_WINDOWS_1252_ALIASES = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "us-ascii", "ascii"}
_BLANK_LINES = re.compile(r"\n\s*\n+")
DEFAULT_MAX_PDF_PAGES = 30


def html_text(body: bytes, charset: str | None, *, truncated: bool) -> tuple[str | None, str]:
    """The page's <title> and its main text (trafilatura: without navigation, footers and scripts)."""
    html = decode(body, charset, is_html=True, truncated=truncated)
    title_tag = BeautifulSoup(html, "lxml", parse_only=SoupStrainer("title")).find("title")
    title = " ".join(title_tag.get_text().split()) if title_tag else ""
    # favor_recall: for a pitch check, a company page's small print beats a missing paragraph.
    text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True) or ""
    return title or None, _tidy(text)


def plain_text(body: bytes, charset: str | None, *, truncated: bool) -> tuple[None, str]:
    return None, _tidy(decode(body, charset, is_html=False, truncated=truncated))


def pdf_text(body: bytes, *, max_chars: int, max_pages: int = DEFAULT_MAX_PDF_PAGES) -> tuple[str | None, str]:
    """Text of the PDF's first `max_pages` pages in order, stopping once `max_chars` are collected.

    Run it through isolated.extract_text: one page can hold enough operators to take minutes.
    """
    try:
        reader = pypdf.PdfReader(io.BytesIO(body))
        if reader.is_encrypted:
            reader.decrypt("")  # many "protected" PDFs only restrict printing
        title = reader.metadata.title if reader.metadata else None
        pages, collected, total = [], 0, len(reader.pages)
        for number in range(min(total, max_pages)):
            if collected > max_chars:
                break
            text = reader.pages[number].extract_text() or ""
            pages.append(text)
            collected += len(text)
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types for broken or exotic files
        if isinstance(exc, MemoryError):
            raise  # the caller's memory cap, not a broken file
        raise WebFetchError(
            f"The PDF could not be read ({type(exc).__name__}: {exc})",
            code="unsupported_content_type",
            permanent=True,
        ) from None
    if total > max_pages and collected <= max_chars:
        pages.append(f"[Vicbot read only the first {max_pages} of the PDF's {total} pages]")
    return (title.strip() or None) if isinstance(title, str) else None, _tidy("\n\n".join(pages))


def decode(body: bytes, charset: str | None, *, is_html: bool, truncated: bool) -> str:
    """Decode with the byte-order mark, else the declared charset (header, then <meta>), else UTF-8
    or windows-1252."""
    body, bom_encoding = EncodingDetector.strip_byte_order_mark(body)
    declared = bom_encoding or charset
    if not declared and is_html:
        declared = EncodingDetector.find_declared_encoding(body, is_html=True)
    if declared and (codec := _codec(declared)):
        return body.decode(codec, errors="replace")
    try:
        # Most of the web is UTF-8. A body cut at the size cap may end inside a character,
        # which must not make it look like something else.
        return codecs.getincrementaldecoder("utf-8")().decode(body, final=not truncated)
    except UnicodeDecodeError:
        # What browsers assume for undeclared legacy pages; statistical guessers get short
        # texts wrong too often to be worth their surprises.
        return body.decode("windows-1252", errors="replace")


def _codec(label: str) -> str | None:
    label = label.strip().strip("\"'").lower()
    if label in _WINDOWS_1252_ALIASES:
        return "windows-1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _tidy(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.replace("\r", "\n").split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
