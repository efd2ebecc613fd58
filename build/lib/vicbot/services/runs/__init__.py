"""The run engine. `start_run` is the developer API; the rest is driven by tasks."""

from vicbot.services.runs.start import start_run

__all__ = ["start_run"]
