"""The Files API (`/v1/files`) and `input_file` content, as OpenAI's OpenAPI description defines them.

Uploads: multipart `file` + `purpose` (one of CreateFileRequest's enum) + optional
`expires_after[anchor]=created_at` / `expires_after[seconds]` (3600-2592000); a file may be up to
512 MB (the createFile summary). The reply is an OpenAIFile (`id`, `object: "file"`, `bytes`,
`created_at`, `expires_at`, `filename`, `purpose`, `status`). An expired or deleted file is gone.

A Responses request may carry, in a message's content, `{"type": "input_file"}` with `file_id`,
or `filename` + `file_data` (a base64 data URL), or `file_url` (InputFileContent). Per request
the emulator enforces the limit of OpenAI's file-inputs guide (100 pages and 32 MB of files in
all — assumed: the published OpenAPI description does not state it). For the scripted model each
file becomes the text of its pages (pypdf), marked "[<filename> p. N]", as the real API gives the
model each page's text (and an image of it, which the emulator cannot read).
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import io
import threading
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import pypdf

from . import ids
from .errors import ApiError, bad_request, not_found

MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_REQUEST_FILE_BYTES = 32 * 1024 * 1024  # assumed (file-inputs guide, 2025)
MAX_REQUEST_PAGES = 100  # assumed (same)
PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")


@dataclass
class StoredFile:
    id: str
    filename: str
    purpose: str
    data: bytes
    created_at: int
    expires_at: int | None

    def body(self) -> dict[str, Any]:
        return {"id": self.id, "object": "file", "bytes": len(self.data), "created_at": self.created_at,
                "expires_at": self.expires_at, "filename": self.filename, "purpose": self.purpose,
                "status": "processed"}


class FileStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[str, StoredFile] = {}
        # Identical uploads share one copy (the benchmark uploads 100 decks of 10 MB, mostly alike).
        self._blobs: dict[str, bytes] = {}
        self.uploads = 0  # POST /v1/files accepted

    def upload(self, raw: bytes, content_type: str, now: float) -> dict[str, Any]:
        fields, upload = _multipart(raw, content_type)
        if upload is None:
            raise bad_request("Missing required parameter: 'file'.", param="file", code="missing_required_parameter")
        purpose = fields.get("purpose")
        if purpose not in PURPOSES:
            raise bad_request(f"Invalid value for 'purpose': {purpose!r}. Supported values are: "
                              f"{', '.join(repr(p) for p in PURPOSES)}.", param="purpose", code="invalid_value")
        filename, data = upload
        if len(data) > MAX_FILE_BYTES:
            raise bad_request("File is too large. Files may be up to 512 MB.", param="file")
        expires_at = None
        if "expires_after[anchor]" in fields or "expires_after[seconds]" in fields:
            if fields.get("expires_after[anchor]") != "created_at":
                raise bad_request("Invalid value for 'expires_after.anchor': supported values are: 'created_at'.",
                                  param="expires_after.anchor", code="invalid_value")
            try:
                seconds = int(fields.get("expires_after[seconds]", ""))
            except ValueError:
                seconds = -1
            if not 3600 <= seconds <= 2_592_000:
                raise bad_request("Invalid 'expires_after.seconds': must be between 3600 and 2592000.",
                                  param="expires_after.seconds", code="invalid_value")
            expires_at = int(now) + seconds
        # OpenAI's file ids read "file-…" (the description's examples), unlike resp_/msg_ ids.
        data = self._blobs.setdefault(hashlib.sha256(data).hexdigest(), data)
        stored = StoredFile("file-" + ids.new_id("file").partition("_")[2][:24], filename, purpose, data, int(now), expires_at)
        with self._lock:
            self._files[stored.id] = stored
            self.uploads += 1
        return stored.body()

    def get(self, file_id: str, now: float) -> StoredFile:
        with self._lock:
            stored = self._files.get(file_id)
        if stored is None or (stored.expires_at is not None and stored.expires_at <= now):
            raise not_found(f"No such File object: {file_id}")
        return stored

    def delete(self, file_id: str, now: float) -> dict[str, Any]:
        self.get(file_id, now)
        with self._lock:
            self._files.pop(file_id, None)
        return {"id": file_id, "object": "file", "deleted": True}

    def expand(self, request: dict[str, Any], now: float) -> dict[str, Any]:
        """The request as the model reads it: every input_file part replaced by its pages' text.

        Refuses (400) an input_file that names no file, a missing or expired one, or files past
        the per-request limit."""
        if not isinstance(request.get("input"), list):
            return request
        expanded = copy.deepcopy(request)
        total_bytes = total_pages = 0
        for index, item in enumerate(expanded["input"]):
            content = item.get("content") if isinstance(item, dict) else None
            if not isinstance(content, list):
                continue
            for part_index, part in enumerate(content):
                if not (isinstance(part, dict) and part.get("type") == "input_file"):
                    continue
                where = f"input[{index}].content[{part_index}]"
                filename, data = self._file_of(part, where, now)
                pages = _pages(data)
                total_bytes += len(data)
                total_pages += len(pages)
                content[part_index] = {"type": "input_text", "text": "\n".join(
                    f"[{filename} p. {number}]\n{text}" for number, text in enumerate(pages, 1))}
        if total_bytes > MAX_REQUEST_FILE_BYTES:
            raise bad_request(f"Files in a request may be up to 32 MB in all; these are {total_bytes} bytes.",
                              param="input", code="file_too_large")
        if total_pages > MAX_REQUEST_PAGES:
            raise bad_request(f"Files in a request may have up to 100 pages in all; these have {total_pages}.",
                              param="input", code="too_many_pages")
        return expanded

    def _file_of(self, part: dict[str, Any], where: str, now: float) -> tuple[str, bytes]:
        given = [key for key in ("file_id", "file_data", "file_url") if part.get(key)]
        if len(given) != 1:
            raise bad_request(f"Invalid '{where}': exactly one of 'file_id', 'file_data' or 'file_url' is required.",
                              param=where, code="invalid_value")
        if given[0] == "file_id":
            try:
                stored = self.get(str(part["file_id"]), now)
            except ApiError:
                raise bad_request(f"Invalid '{where}.file_id': file '{part['file_id']}' not found.",
                                  param=f"{where}.file_id", code="invalid_value") from None
            return stored.filename, stored.data
        if given[0] == "file_data":
            if not part.get("filename"):
                raise bad_request(f"Missing required parameter: '{where}.filename'.", param=f"{where}.filename",
                                  code="missing_required_parameter")
            _, _, encoded = str(part["file_data"]).partition("base64,")
            try:
                return str(part["filename"]), base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                raise bad_request(f"Invalid '{where}.file_data': not base64.", param=f"{where}.file_data",
                                  code="invalid_value") from None
        raise bad_request("The emulator does not fetch file_url inputs.", param=f"{where}.file_url")


def _pages(data: bytes) -> list[str]:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        return [page.extract_text() or "" for page in reader.pages]
    except Exception:  # noqa: BLE001 - not a PDF: the real API reads other types as text only
        return [data.decode("utf-8", "replace")]


def _multipart(raw: bytes, content_type: str) -> tuple[dict[str, str], tuple[str, bytes] | None]:
    if not content_type.lower().startswith("multipart/form-data"):
        raise bad_request("Uploads must be multipart/form-data.", param="file")
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
    fields: dict[str, str] = {}
    upload = None
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        payload = part.get_payload(decode=True) or b""
        if name == "file" and filename is not None:
            upload = (filename, payload)
        elif name:
            fields[name] = payload.decode("utf-8", "replace")
    return fields, upload
