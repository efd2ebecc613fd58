from django.apps import AppConfig


class VicbotConfig(AppConfig):
    name = "vicbot"
    verbose_name = "Vicbot"

    def ready(self) -> None:
        from vicbot import checks  # noqa: F401  (registers the system checks)
