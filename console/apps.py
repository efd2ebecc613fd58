from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The operator's console on top of both apps: dashboard, run timeline, pitch page, assistant diff.

    It sits above `pipelines` and `vicbot` (it reads both), so neither imports it: the admin
    finds its templates by name and its pages by URL name.
    """

    name = "console"
    verbose_name = "Operator's console"
