from django.apps import AppConfig


class SandboxConfig(AppConfig):
    # An app only so that `manage.py demo|benchmark|chaos` are found; it has no models.
    name = "sandbox"
    verbose_name = "Sandbox (emulators, demo, benchmark, chaos)"
