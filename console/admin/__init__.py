"""Every admin page of the engine's and the pipeline's records, one module per record (Django's
autodiscovery imports this package; each module registers its ModelAdmin)."""

from console.admin import (  # noqa: F401
    assistants,
    capacity,
    decks,
    exports,
    pipelines,
    pitches,
    runs,
    suggested_changes,
    webhooks,
    workers,
)
