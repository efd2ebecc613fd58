from pipelines.models.pipeline import Pipeline
from pipelines.models.pitch import Pitch

__all__ = ["Pipeline", "Pitch"]
