from pipelines.models.deck import Deck
from pipelines.models.pipeline import Pipeline
from pipelines.models.pitch import Pitch

__all__ = ["Deck", "Pipeline", "Pitch"]
