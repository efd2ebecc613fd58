from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class VicbotConfig(AppConfig):
    name = "vicbot"
    verbose_name = "Vicbot"

    def ready(self) -> None:
        from tools.registry import check_registry
        from vicbot import checks  # noqa: F401  (registers the system checks)

        # Every process (web, worker, beat, commands) refuses to start with a broken tool
        # registry, rather than failing the first run that needs the tool.
        if problems := check_registry():
            raise ImproperlyConfigured("; ".join(problems))
