from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """Everything an operator sees, on top of both apps: the admin pages of every record (console/admin/),
    the dashboard, a run's timeline, the pitch and pipeline pages, the assistant diff.

    It sits above `pipelines` and `vicbot` and reads the engine only through `vicbot.runs`,
    `vicbot.selectors` and the models it registers; neither app imports it: the admin finds its
    templates by name and its pages by URL name.
    """

    name = "console"
    verbose_name = "Operator's console"
