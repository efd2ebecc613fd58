"""System checks run by web, worker and beat at start-up (and by `check --deploy`)."""

from django.conf import settings
from django.core import checks


@checks.register(deploy=True)
def secret_key_from_environment(app_configs, **kwargs):
    if settings.SECRET_KEY_FROM_ENV:
        return []
    return [
        checks.Error(
            "DJANGO_SECRET_KEY is not set: this process made up a throwaway key.",
            hint="Set DJANGO_SECRET_KEY in the environment (Heroku: app.json generates one).",
            id="vicbot.E001",
        )
    ]
