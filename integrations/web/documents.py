"""Reading a deck: a PDF's pages (and a copy cut to its first pages) or a PowerPoint's slide text.

Run through isolated.read_document, in the bounded child process: a hostile file can hold
enough operators to take minutes, or claim gigabytes when parsed.

PowerPoint: python-pptx reads .pptx (Office Open XML) only; the old binary .ppt is refused
with a reason. Slides become text (the model gets no images of them).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pypdf

from integrations.web.errors import WebFetchError

PDF = "deck_pdf"
PPTX = "deck_pptx"
KINDS = (PDF, PPTX)


@dataclass
class Document:
    pages: int  # pages or slides in the file
    page_texts: list[str] = field(default_factory=list)  # the first pages' text, up to max_chars in all
    cut: bytes | None = None  # the first `cut_pages` pages as a PDF (when asked and needed)
    cut_pages: int | None = None


def read(kind: str, body: bytes, *, max_pages: int, max_bytes: int, max_chars: int, cut: bool) -> Document:
    if not body:
        raise _unreadable("empty", "The file is empty (0 bytes)")
    if kind == PPTX:
        return _pptx(body, max_chars=max_chars)
    return _pdf(body, max_pages=max_pages, max_bytes=max_bytes, max_chars=max_chars, cut=cut)


def _pdf(body: bytes, *, max_pages: int, max_bytes: int, max_chars: int, cut: bool) -> Document:
    try:
        reader = pypdf.PdfReader(io.BytesIO(body))
        if reader.is_encrypted and not reader.decrypt(""):  # many "protected" PDFs open with no password
            raise _unreadable("encrypted", "The PDF is encrypted with a password")
        total = len(reader.pages)
        if total == 0:
            raise _unreadable("empty", "The PDF has no pages")
        texts, collected = [], 0
        for number in range(total):
            if collected > max_chars:
                break
            text = reader.pages[number].extract_text() or ""
            texts.append(text[: max_chars - collected + 1])
            collected += len(text)
        document = Document(pages=total, page_texts=texts)
        if cut and (total > max_pages or len(body) > max_bytes):
            document.cut, document.cut_pages = _first_pages(reader, min(total, max_pages), max_bytes)
        return document
    except WebFetchError:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types for broken or exotic files
        raise _unreadable("corrupt", f"The PDF could not be read ({type(exc).__name__}: {exc})") from None


def _first_pages(reader: pypdf.PdfReader, pages: int, max_bytes: int) -> tuple[bytes, int]:
    """The first pages that fit in `max_bytes` (shared resources may make a page cost more than its share)."""
    while pages > 0:
        writer = pypdf.PdfWriter()
        for number in range(pages):
            writer.add_page(reader.pages[number])
        out = io.BytesIO()
        writer.write(out)
        size = out.tell()
        if size <= max_bytes:
            return out.getvalue(), pages
        pages = min(pages - 1, int(pages * max_bytes / size))
    raise _unreadable("too_large", "Not even the deck's first page fits in the size OpenAI accepts")


def _pptx(body: bytes, *, max_chars: int) -> Document:
    try:
        from pptx import Presentation  # python-pptx: imported here, only children read PowerPoint

        presentation = Presentation(io.BytesIO(body))
        texts, collected = [], 0
        slides = list(presentation.slides)
        for slide in slides:
            if collected > max_chars:
                break
            parts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame and shape.text_frame.text]
            text = "\n".join(parts)
            texts.append(text)
            collected += len(text)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - zip, XML and package errors alike
        raise _unreadable("corrupt", "The PowerPoint file could not be read: it is encrypted, corrupt or not "
                                     f".pptx ({type(exc).__name__}: {exc})") from None
    if not slides:
        raise _unreadable("empty", "The PowerPoint file has no slides")
    return Document(pages=len(slides), page_texts=texts)


def _unreadable(code: str, message: str) -> WebFetchError:
    return WebFetchError(message, code=code, permanent=True)
