from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class VicbotConfig(AppConfig):
    name = "vicbot"
    verbose_name = "Vicbot"

    def ready(self) -> None:
        import importlib

        from django.conf import settings

        from integrations.openai import on_rate_limits
        from tools.registry import check_registry
        from vicbot import checks  # noqa: F401  (registers the system checks)
        from vicbot.log_ids import register_log_ids
        from vicbot.services.capacity import capacity_note_reading

        for module in settings.VICBOT_EXTRA_HANDLER_MODULES:
            importlib.import_module(module)

        # Log lines of the engine's tasks name their run (and tool call); config knows no app.
        register_log_ids()

        # Every reply from OpenAI, in every process, updates the model's capacity (in-flight allowance).
        on_rate_limits(capacity_note_reading)

        # Every process (web, worker, beat, commands) refuses to start with a broken tool
        # registry, rather than failing the first run that needs the tool.
        if problems := check_registry():
            raise ImproperlyConfigured("; ".join(problems))
