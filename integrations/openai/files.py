"""OpenAI Files: the one upload of a document the model reads, and whether it is still there.

`POST /v1/files` (multipart, `purpose=user_data`, an `expires_after` of created_at + seconds,
3600 to 2,592,000 per the published OpenAPI description), then `input_file` items name the
upload by `file_id` in every request that needs it. Like every call here it is made once (the
SDK's retries are off): the caller decides whether to try again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

import openai

from integrations.openai.client import get_client
from integrations.openai.errors import OpenAIError, classify

# The bounds of FileExpirationAfter.seconds in OpenAI's OpenAPI description.
MIN_EXPIRY_SECONDS = 3600
MAX_EXPIRY_SECONDS = 2_592_000


@dataclass(frozen=True)
class Upload:
    file_id: str
    bytes: int
    expires_at: int | None  # unix seconds; None: kept until deleted


def upload_file(content: IO[bytes], *, filename: str, expires_after_seconds: int,
                client: openai.OpenAI | None = None) -> Upload:
    seconds = min(max(int(expires_after_seconds), MIN_EXPIRY_SECONDS), MAX_EXPIRY_SECONDS)
    try:
        created = (client or get_client()).files.create(
            file=(filename, content), purpose="user_data",
            expires_after={"anchor": "created_at", "seconds": seconds})
    except (openai.APIConnectionError, openai.APIStatusError) as exc:
        raise classify(exc) from exc
    return Upload(file_id=created.id, bytes=created.bytes, expires_at=created.expires_at)


def file_exists(file_id: str, *, client: openai.OpenAI | None = None) -> bool:
    """False when OpenAI no longer has the upload (deleted or expired); OpenAIError when it cannot say."""
    try:
        (client or get_client()).files.retrieve(file_id)
    except openai.NotFoundError:
        return False
    except (openai.APIConnectionError, openai.APIStatusError) as exc:
        raise classify(exc) from exc
    return True


__all__ = ["MAX_EXPIRY_SECONDS", "MIN_EXPIRY_SECONDS", "OpenAIError", "Upload", "file_exists", "upload_file"]
