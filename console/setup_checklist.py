"""What a fresh install still lacks before anything can run, as a short checklist for the dashboard
and the pipeline list (instead of a default pipeline that reads "running · due now")."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from integrations.salesforce import get_client
from pipelines.models import Pipeline
from pipelines.services.pipelines import pipeline_condition
from vicbot.runs import Assistant
from vicbot.selectors import workers_seen


@dataclass(frozen=True)
class SetupStep:
    done: bool
    text: str
    how: str  # what to do, when not done
    url: str = ""


def setup_steps() -> list[SetupStep]:
    alive = any(worker.alive for worker in workers_seen())
    pipelines = list(Pipeline.objects.select_related("schedule"))
    return [
        SetupStep(bool(settings.OPENAI_API_KEY), "An OpenAI API key",
                  "Set OPENAI_API_KEY in the environment of the web, worker and beat processes."),
        SetupStep(get_client().config.is_configured, "Salesforce settings",
                  "Set SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET (client credentials) or the JWT "
                  "settings, and SALESFORCE_DOMAIN (README, Environment variables)."),
        SetupStep(Assistant.objects.exists(), "An assistant (instructions, model, tools)",
                  "Add one here (the instructions, a model OpenAI lists, its tools).", reverse("admin:vicbot_assistant_add")),
        SetupStep(any(pipeline_condition(p).runs for p in pipelines), "A pipeline that runs",
                  "Add a pipeline naming the assistant, enabled, with its beat task on.",
                  reverse("admin:pipelines_pipeline_changelist")),
        SetupStep(alive, "A live worker", "Start `celery -A config worker --beat` (the worker dyno)."),
    ]


def setup_checklist() -> list[SetupStep]:
    """The steps, when any is missing; [] once everything is in place (the block is then not shown)."""
    steps = setup_steps()
    return steps if not all(step.done for step in steps) else []
