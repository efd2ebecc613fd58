import re
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from integrations.openai.client import get_client
from integrations.openai.errors import classify
from tools.registry import registry
from vicbot.models import Assistant
from vicbot.schema_strict import strict_schema_problems
from vicbot.services.model_retirements import model_retirement_warning

# OpenAI's rule for text.format.name.
SCHEMA_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class InvalidAssistant(ValueError):
    """What OpenAI or the tool registry would refuse, found before the assistant is saved.

    `problems` maps the field at fault to its messages, so a form can show each beside its field.
    """

    def __init__(self, problems: dict[str, list[str]]):
        self.problems = problems
        super().__init__("; ".join(f"{field}: {' '.join(messages)}" for field, messages in problems.items()))


def assistant_validate(*, tool_names: Any, output_schema: Any, output_schema_name: str) -> None:
    """Refuse a configuration every run would fail on: an unknown tool, or a schema strict mode rejects.

    Called when an assistant is saved (the admin); runs start from saved versions, so
    start_run does not repeat it.
    """
    problems: dict[str, list[str]] = {}
    if not isinstance(tool_names, list) or not all(isinstance(name, str) for name in tool_names):
        problems["tool_names"] = ["A list of tool names, e.g. [\"web_scrape\"]."]
    else:
        known = registry().names()
        unknown = sorted(set(tool_names) - set(known))
        if unknown:
            problems["tool_names"] = [f"Unknown tools: {', '.join(unknown)}. Registered: {', '.join(known)}."]
    schema_problems = strict_schema_problems(output_schema)
    if schema_problems:
        problems["output_schema"] = ["OpenAI's strict mode would refuse this schema:", *schema_problems]
    if not SCHEMA_NAME.match(output_schema_name or ""):
        problems["output_schema_name"] = ["1-64 letters, digits, _ or - (OpenAI's rule)."]
    if problems:
        raise InvalidAssistant(problems)


@transaction.atomic
def assistant_save_new_version(*, assistant: Assistant) -> Assistant:
    """Save `assistant`'s fields as the next version of its name; earlier versions stay as they were."""
    assistant.tool_names = tools_in_registry_order(assistant.tool_names)
    latest = Assistant.objects.select_for_update().filter(name=assistant.name).aggregate(v=Max("version"))["v"]
    assistant.pk = None
    assistant.version = (latest or 0) + 1
    assistant.save(force_insert=True)
    return assistant


def tools_in_registry_order(tool_names: Any) -> Any:
    """The registry's order (names no longer registered last, as given), each once: however a form or a
    script lists them, two versions with the same tools store the same list, so a diff shows no change."""
    if not isinstance(tool_names, list):
        return tool_names
    order = {name: index for index, name in enumerate(registry().names())}
    unique = list(dict.fromkeys(tool_names))
    return sorted(unique, key=lambda name: (order.get(name, len(order)), unique.index(name)))


# A save waits on this call: short, and a failure lets the save go on with a note.
MODELS_LIST_TIMEOUT_SECONDS = 5.0


def assistant_model_check(model: str) -> str:
    """Refuse a model OpenAI does not list for this key (GET /v1/models): every run would fail on it.

    Returns notes for the operator ('' when none): the model's published shutdown date when one is
    known (model_retirements), and whether OpenAI could not be asked (unreachable, a failure on its
    side, a key that does not work): the model is then saved unchecked.
    """
    notes = [model_retirement_warning(model, today=timezone.now().date()), _model_listed_note(model)]
    return " ".join(filter(None, notes))


def _model_listed_note(model: str) -> str:
    try:
        listed = {entry.id for entry in get_client().with_options(timeout=MODELS_LIST_TIMEOUT_SECONDS).models.list()}
    except Exception as exc:
        failure = classify(exc)  # anything but an OpenAI failure is a bug of ours, and surfaces
        return f"The model {model!r} was saved unchecked: OpenAI could not list its models ({failure.message})."
    if model not in listed:
        raise InvalidAssistant({"model": [
            f"OpenAI does not list the model {model!r} for this API key (GET /v1/models): every run would fail. "
            "Check its spelling, or whether it was retired."]})
    return ""
