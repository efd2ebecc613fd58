from django.apps import AppConfig


class PipelinesConfig(AppConfig):
    name = "pipelines"
    verbose_name = "Pitch pipeline"

    def ready(self) -> None:
        # Registers the pipeline's completion handler with the run engine in every process,
        # so a run that ends in the worker finds it under its key.
        from pipelines.log_ids import register_log_ids
        from pipelines.services import evaluation  # noqa: F401

        register_log_ids()  # log lines of its tasks (and its runs' tasks) name the pitch
