from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    """Datasets of past pitches, replays of assistant versions over them, shadow runs, and their trials."""

    name = "evaluations"
    verbose_name = "Evaluation lab"

    def ready(self) -> None:
        # Registers the trial runs' completion handler and the shadow-run listener on pipelines' admission.
        from evaluations.services import hooks  # noqa: F401
