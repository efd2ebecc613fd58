"""The pitch's deck: found among the record's Salesforce Files, read once, uploaded to OpenAI once.

Finding (intake): the records of a batch have their files listed in one ContentDocumentLink and one
ContentVersion query (integrations.salesforce.files); the deck is chosen by the pipeline's file
types (preferred first), title pattern and newest version. A pitch points at its deck's version
(a Deck row per ContentVersion): a new version is an edit of the record (intake).

Reading (a task per deck version, `deck_read`): one VersionData call, the pages checked (and cut
when past OpenAI's per-request limit) in the bounded extraction child the web tool uses, one
upload to OpenAI Files (purpose user_data, with an expiry). Every turn, retry and re-evaluation of
that version reuses the upload. An upload OpenAI no longer has (expired, or a run was refused for
it) is read and uploaded again.

Whatever goes wrong with the file (encrypted, corrupt, empty, too long, too large, deleted, not
readable by the integration user), the deck becomes `unusable` with the reason: the pitch is
assessed without it, the model is told why, and the run and the pitch show it.
"""

from __future__ import annotations

import io
import logging
import re
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Q
from django.utils import timezone

from config.enqueue import Priority, enqueue_deck_read, enqueue_pitches_admit
from integrations.errors import IntegrationError
from integrations.openai.files import upload_file
from integrations.salesforce import get_client
from integrations.salesforce.client import SalesforceClient
from integrations.salesforce.files import FileVersion, TooLarge, download_version, record_files
from integrations.web import documents, isolated
from integrations.web.errors import WebFetchError
from integrations.web.slots import Slots
from pipelines.deck_states import DECK_STATES
from pipelines.models import Deck, Pipeline, Pitch
from pipelines.services.usage import counting_calls

log = logging.getLogger(__name__)

# Salesforce FileType → how it is read. The old binary .ppt is refused: python-pptx reads .pptx only.
KINDS = {"PDF": documents.PDF, "POWER_POINT_X": documents.PPTX}
REFUSED = {"POWER_POINT": "it is an old binary PowerPoint (.ppt), which Vicbot cannot read: save it as .pptx or PDF"}
STALE_CLAIM = timedelta(minutes=15)
MAX_TRIES = 3
# An upload this close to its expiry is not sent: a run takes turns for minutes after it starts.
EXPIRY_MARGIN = timedelta(hours=1)
_reading = Slots()


class Unusable(Exception):
    """Why the model does not get this deck (said to the model, the run and the pitch)."""


def deck_choose(pipeline: Pipeline, files: list[FileVersion]) -> FileVersion | None:
    """The deck among a record's files: of the pipeline's file types and title pattern, the newest
    version (on a tie, the type listed first). None when none qualifies or decks are off."""
    types = deck_file_types(pipeline)
    if not types:
        return None
    pattern = re.compile(pipeline.deck_title_pattern, re.IGNORECASE) if pipeline.deck_title_pattern else None
    candidates = [f for f in files if f.file_type.upper() in types and (pattern is None or pattern.search(f.title))]
    return max(candidates, key=lambda f: (f.created_date, -types.index(f.file_type.upper()), f.content_version_id),
               default=None)


def deck_file_types(pipeline: Pipeline) -> list[str]:
    return [kind.strip().upper() for kind in pipeline.deck_file_types.split(",") if kind.strip()]


def decks_find(pipeline: Pipeline, client: SalesforceClient, record_ids: list[str],
               backlog: frozenset[str] = frozenset()) -> dict[str, Deck | None]:
    """Each record's deck (a Deck row, new ones to be read), for a whole batch in one query pair.
    The decks of `backlog` records are read after every new pitch's work (config.enqueue.Priority.BACKLOG)."""
    if not deck_file_types(pipeline) or not record_ids:
        return {}
    found = record_files(client, record_ids)
    return {record_id: deck_for(pipeline, chosen, background=record_id in backlog)
            if (chosen := deck_choose(pipeline, files)) else None
            for record_id, files in found.items()}


def deck_for(pipeline: Pipeline, version: FileVersion, *, background: bool = False) -> Deck:
    deck, created = Deck.objects.get_or_create(
        content_version_id=version.content_version_id,
        defaults={"content_document_id": version.content_document_id, "record_id": version.record_id,
                  "title": version.title[:255], "file_type": version.file_type[:40],
                  "file_extension": version.file_extension[:40], "version_number": version.version_number[:20],
                  "size": version.size, "oversize": pipeline.deck_oversize},
    )
    if created:
        enqueue_deck_read(deck.pk, priority=Priority.BACKLOG if background else Priority.NEW)
    return deck


def decks_held(now: datetime) -> Q:
    """Pitches that wait for their deck before they start: it is still being read, or its upload is
    gone or about to expire (it is read again)."""
    reading = Q(deck__status__in=[Deck.Status.FOUND, Deck.Status.READING])
    expiring = (Q(deck__status=Deck.Status.READY) & ~Q(deck__sent_as=Deck.SentAs.TEXT)
                & Q(deck__openai_expires_at__lte=now + EXPIRY_MARGIN))
    return reading | expiring


def decks_nudge(deck_ids) -> None:
    """Make sure the decks admission waits for are being read (a lost message, a stale claim, an
    expired upload); one message per deck a minute at most."""
    now = timezone.now()
    for deck in Deck.objects.filter(pk__in=set(deck_ids)):
        if deck.status == Deck.Status.READY and not deck_upload_usable(deck, now):
            DECK_STATES.apply(deck.pk, "upload_gone", reason="The OpenAI upload expired: read again",
                              openai_file_id="", openai_expires_at=None)
        if cache.add(f"pipelines:deck-read:{deck.pk}", 1, timeout=60):
            enqueue_deck_read(deck.pk)


def deck_upload_usable(deck: Deck, now: datetime) -> bool:
    if deck.sent_as == Deck.SentAs.TEXT:
        return True
    return bool(deck.openai_file_id) and (deck.openai_expires_at is None
                                          or deck.openai_expires_at > now + EXPIRY_MARGIN)


def deck_upload_refused(deck_id: int, file_id: str) -> None:
    """A run was refused for the deck's upload (OpenAI no longer has it): the next attempt reads it again."""
    if DECK_STATES.apply(deck_id, "upload_gone", where={"openai_file_id": file_id}, openai_file_id="",
                         openai_expires_at=None, reason=f"OpenAI no longer had upload {file_id}: read again"):
        enqueue_deck_read(deck_id)


# -- reading -------------------------------------------------------------------------------------------


def deck_read(*, deck_id: int) -> str:
    """Download, check and upload one deck version (the task). Its status says how it ended."""
    now = timezone.now()
    deck = Deck.objects.filter(pk=deck_id).first()
    if deck is None:
        return "gone"
    if deck.status == Deck.Status.FOUND and (deck.next_try_at is None or deck.next_try_at <= now):
        claimed = DECK_STATES.apply(deck.pk, "claim", claimed_at=now)
    elif deck.status == Deck.Status.READING and deck.claimed_at and deck.claimed_at < now - STALE_CLAIM:
        claimed = DECK_STATES.apply(deck.pk, "reclaim_stale", where={"claimed_at": deck.claimed_at}, claimed_at=now)
    else:
        return deck.status
    if not claimed:
        return "taken"
    # The file sits in memory while it is checked and uploaded: so many at once per process, no more.
    if not _reading.acquire(settings.DECK_READ_CONCURRENCY, timeout=STALE_CLAIM.total_seconds() / 2):
        DECK_STATES.apply(deck.pk, "try_later", next_try_at=timezone.now() + timedelta(seconds=30),
                          reason="This worker was reading other decks; tried again shortly")
        enqueue_deck_read(deck.pk, countdown=30)
        return "busy"
    try:
        fields = _read(deck)
        DECK_STATES.apply(deck.pk, "ready", reason="", next_try_at=None, **fields)
        outcome = "ready"
    except Unusable as exc:
        log.info("deck %s unusable: %s", deck.pk, exc)
        DECK_STATES.apply(deck.pk, "unusable", reason=str(exc)[:2000], next_try_at=None, note=str(exc)[:500])
        outcome = "unusable"
    except (IntegrationError, WebFetchError) as exc:  # passing (busy, 5xx, rate limits): try again later
        tries = deck.tries + 1
        if tries >= MAX_TRIES:
            DECK_STATES.apply(deck.pk, "unusable", tries=tries,
                              reason=f"Could not be read after {tries} tries: {exc}"[:2000])
            outcome = "unusable"
        else:
            delay = 30 * 2 ** tries
            DECK_STATES.apply(deck.pk, "try_later", tries=tries, reason=f"Try {tries} failed: {exc}"[:2000],
                              next_try_at=timezone.now() + timedelta(seconds=delay))
            enqueue_deck_read(deck.pk, countdown=delay)
            outcome = "later"
    finally:
        _reading.release()
    # Its pitches were held back while it was read: let them in now.
    for pipeline_id in set(Pitch.objects.filter(deck_id=deck.pk).values_list("pipeline_id", flat=True)):
        enqueue_pitches_admit(pipeline_id)
    return outcome


def _read(deck: Deck) -> dict:
    kind = KINDS.get(deck.file_type.upper())
    if kind is None:
        raise Unusable(REFUSED.get(deck.file_type.upper(), f"Vicbot does not read files of type {deck.file_type}"))
    if deck.size == 0:
        raise Unusable("The file is empty (0 bytes)")
    if deck.size > settings.DECK_MAX_FILE_BYTES:
        raise Unusable(f"The file is {_mb(deck.size)}, more than the {_mb(settings.DECK_MAX_FILE_BYTES)} Vicbot "
                       "reads (not downloaded)")
    body = _download(deck)
    try:
        document = isolated.read_document(kind, body, max_bytes=settings.DECK_MAX_SEND_BYTES,
                                          cut=deck.oversize != "text", limits=_limits())
    except WebFetchError as exc:
        if exc.permanent:
            raise Unusable(exc.message) from None
        raise
    if document.pages > settings.DECK_MAX_FILE_PAGES:
        raise Unusable(f"The file has {document.pages} pages, more than the {settings.DECK_MAX_FILE_PAGES} "
                       "a deck may have")
    fields = {"pages": document.pages, "downloads": F("downloads") + 1, "tries": 0, "model_note": ""}
    oversize = kind == documents.PDF and (document.pages > settings.DECK_MAX_SEND_PAGES
                                          or len(body) > settings.DECK_MAX_SEND_BYTES)
    if kind == documents.PPTX or (oversize and deck.oversize == "text"):
        text = _as_text(document, slides=kind == documents.PPTX)
        if not text.strip():
            raise Unusable("No text could be read from it")
        how = "slides" if kind == documents.PPTX else "pages"
        note = (f"The deck is sent as the text of its {document.pages} {how}" +
                (" (slide N is deck p. N), without images" if kind == documents.PPTX else
                 f" (it is past the {settings.DECK_MAX_SEND_PAGES} pages or {_mb(settings.DECK_MAX_SEND_BYTES)} "
                 "OpenAI reads as a file)") + ".")
        return fields | {"sent_as": Deck.SentAs.TEXT, "text": text, "sent_pages": len(document.page_texts),
                         "model_note": note}
    data, sent_as, sent_pages = body, Deck.SentAs.FILE, document.pages
    if oversize:
        data, sent_as, sent_pages = document.cut, Deck.SentAs.CUT, document.cut_pages
        fields["model_note"] = (f"Only the first {sent_pages} of the deck's {document.pages} pages are attached: "
                          f"OpenAI reads at most {settings.DECK_MAX_SEND_PAGES} pages and "
                          f"{_mb(settings.DECK_MAX_SEND_BYTES)} per request. Say so if later pages might matter.")
    upload = upload_file(io.BytesIO(data), filename=_filename(deck),
                         expires_after_seconds=settings.DECK_UPLOAD_EXPIRY_SECONDS)
    expires = datetime.fromtimestamp(upload.expires_at, tz=UTC) if upload.expires_at else None
    return fields | {"sent_as": sent_as, "sent_pages": sent_pages, "openai_file_id": upload.file_id,
                     "openai_expires_at": expires, "uploaded_bytes": upload.bytes, "uploads": F("uploads") + 1,
                     "text": ""}


def _download(deck: Deck) -> bytes:
    client = get_client()
    # Counted as the pipeline's own Salesforce calls, like intake's and the write-back's.
    pitch = Pitch.objects.filter(deck=deck).select_related("pipeline").first()
    counting = counting_calls(pitch.pipeline, client) if pitch is not None else nullcontext()
    try:
        with counting, download_version(client, deck.content_version_id,
                                        max_bytes=settings.DECK_MAX_FILE_BYTES) as spool:
            return spool.read()
    except TooLarge:
        raise Unusable(f"The file is larger than the {_mb(settings.DECK_MAX_FILE_BYTES)} Vicbot reads") from None
    except IntegrationError as exc:
        if exc.permanent and exc.status in (403, 404):
            why = ("the integration user may not read it" if exc.status == 403
                   else "it was deleted in Salesforce, or the integration user cannot see it")
            raise Unusable(f"Salesforce refused the file: {why} ({exc.code})") from None
        raise


def _limits() -> isolated.Limits:
    return isolated.Limits(seconds=settings.DECK_EXTRACT_TIMEOUT,
                           memory_bytes=settings.WEB_FETCH_EXTRACT_MEMORY_MB * 2**20,
                           max_chars=settings.DECK_MAX_TEXT_CHARS, max_pdf_pages=settings.DECK_MAX_SEND_PAGES,
                           concurrency=settings.WEB_FETCH_EXTRACT_CONCURRENCY)


def _as_text(document: documents.Document, *, slides: bool) -> str:
    """Each page (or slide: its page in the deck) under "[deck p. N]", the way the model is asked to cite it."""
    text = "\n\n".join(f"[deck p. {number}]\n{page.strip()}" for number, page in enumerate(document.page_texts, 1))
    return text[: settings.DECK_MAX_TEXT_CHARS]


def _filename(deck: Deck) -> str:
    stem = re.sub(r"[^\w.\- ]+", "_", deck.title or "deck")[:100] or "deck"
    return f"{stem}.pdf"


def _mb(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


# -- what the run gets ---------------------------------------------------------------------------------


def deck_run_input(pitch: Pitch) -> tuple[list[dict], dict[str, str]]:
    """The content items the pitch's run gets after its text, and what its metadata records of the deck."""
    deck = pitch.deck
    if deck is None:
        return [], {}
    metadata = {"deck": str(deck.pk), "deck_title": deck.title, "deck_version": deck.version_number,
                "deck_document": deck.content_document_id}
    if deck.status != Deck.Status.READY:
        reason = deck.reason or "it could not be read"
        metadata["deck_problem"] = reason
        return [{"type": "input_text", "text": f'The record has a deck, "{deck.title}", but Vicbot could not give '
                                               f"it to you: {reason}. Assess the pitch without it, and say so."}], metadata
    metadata |= {"deck_pages": str(deck.sent_pages or deck.pages or ""), "deck_bytes": str(deck.size),
                 "deck_sent_as": deck.sent_as}
    if deck.sent_as == Deck.SentAs.TEXT:
        return [{"type": "input_text", "text": f'The deck "{deck.title}". {deck.model_note}\n\n{deck.text}'}], metadata
    metadata["deck_file_id"] = deck.openai_file_id
    items = [{"type": "input_file", "file_id": deck.openai_file_id}]
    if deck.model_note:
        items.append({"type": "input_text", "text": deck.model_note})
    return items, metadata
