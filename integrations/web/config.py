"""Where the web fetcher's settings come from (the only module here that reads Django settings)."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_USER_AGENT = "VicbotResearch/1.0 (+https://github.com/vicbot; pitch screening)"


@dataclass(frozen=True)
class WebFetchConfig:
    # Exact `host` or `host:port` entries that may reach private/loopback addresses (and,
    # with a port, that port). Only tests and the offline demo need any.
    private_allowlist: tuple[str, ...] = ()
    connect_timeout: float = 5.0
    # Wall-clock budget for the whole fetch: every redirect hop, headers and body.
    total_timeout: float = 15.0
    max_bytes: int = 2_000_000
    max_text_chars: int = 20_000
    cache_seconds: int = 86_400
    # Fetches at once in one process (each holds up to max_bytes until its text is read); more wait.
    concurrency: int = 4
    user_agent: str = DEFAULT_USER_AGENT
    # Text extraction runs in a child process (isolated.py) bounded by these. Its deadline is
    # also cut to whatever time the caller has left (fetch's `finish_by`).
    extract_timeout: float = 20.0
    extract_memory_mb: int = 160
    # Children extracting at once in one process; further fetches wait for one to end.
    extract_concurrency: int = 1
    pdf_max_pages: int = 30

    @classmethod
    def from_settings(cls) -> WebFetchConfig:
        from django.conf import settings

        def setting(name: str, default):
            value = getattr(settings, f"WEB_FETCH_{name}", None)
            return default if value in (None, "") else value

        allowlist = setting("PRIVATE_ALLOWLIST", ())
        if isinstance(allowlist, str):  # the environment gives "a:1,b" as one string
            allowlist = allowlist.split(",")
        return cls(
            private_allowlist=tuple(entry.strip() for entry in allowlist if entry.strip()),
            connect_timeout=float(setting("CONNECT_TIMEOUT", cls.connect_timeout)),
            total_timeout=float(setting("TIMEOUT", cls.total_timeout)),
            max_bytes=int(setting("MAX_BYTES", cls.max_bytes)),
            max_text_chars=int(setting("MAX_TEXT_CHARS", cls.max_text_chars)),
            cache_seconds=int(setting("CACHE_SECONDS", cls.cache_seconds)),
            concurrency=int(setting("CONCURRENCY", cls.concurrency)),
            user_agent=str(setting("USER_AGENT", DEFAULT_USER_AGENT)),
            extract_timeout=float(setting("EXTRACT_TIMEOUT", cls.extract_timeout)),
            extract_memory_mb=int(setting("EXTRACT_MEMORY_MB", cls.extract_memory_mb)),
            extract_concurrency=int(setting("EXTRACT_CONCURRENCY", cls.extract_concurrency)),
            pdf_max_pages=int(setting("PDF_MAX_PAGES", cls.pdf_max_pages)),
        )
