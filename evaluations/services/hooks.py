"""What the evaluation lab registers at start-up (EvaluationsConfig.ready): its trial runs' completion
handler with the engine, and the shadow listener on the pipelines' run starts."""

from evaluations.services import shadow, trials  # noqa: F401  (registration is the import)
