from pipelines.models.decision import Decision, Outcome
from pipelines.models.pipeline import Pipeline
from pipelines.models.pitch import Pitch

__all__ = ["Decision", "Outcome", "Pipeline", "Pitch"]
