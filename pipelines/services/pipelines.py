"""Pipelines, the checks they pass before they are saved, and their beat schedules."""

from __future__ import annotations

import copy
import json
import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from config.enqueue import Priority, Task
from integrations.salesforce import SalesforceClient, SalesforceError, get_client
from integrations.salesforce.errors import translate_errors
from pipelines.models import Pipeline
from pipelines.models.pipeline import DEFAULT_ANSWER_MAPPING, DEFAULT_FIELDS
from pipelines.services.intake import intake_query
from pipelines.services.pause import pipeline_follow_enabled
from pipelines.services.records import mapped_fields

API_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$")

# Words that start another clause of a query. Found at the condition's top level (outside
# string literals and parentheses: `Id IN (SELECT AccountId FROM Contact)` is a condition)
# they mean the text is more than a condition, e.g. "… ORDER BY Name LIMIT 5", which would
# take over the intake query's own ORDER BY and watermark.
OTHER_CLAUSES = re.compile(
    r"(?<![\w.])(SELECT|FROM|WHERE|WITH|LIMIT|OFFSET|HAVING|GROUP\s+BY|ORDER\s+BY"
    r"|FOR\s+(?:UPDATE|VIEW|REFERENCE)|ALL\s+ROWS)(?![\w.])",
    re.IGNORECASE,
)

# Salesforce's answers that mean "this pipeline is wrong" (a refused query, an unknown
# object); any other failure says nothing about the pipeline.
REFUSAL_STATUSES = (400, 404)


def written_fields(pipeline: Pipeline) -> list[str]:
    """The Salesforce fields a write-back may set: the answer's, and the optional status field."""
    return [*pipeline.answer_mapping.values(), *filter(None, [pipeline.status_field])]


class InvalidPipeline(ValueError):
    pass


def pipeline_validate(pipeline: Pipeline) -> None:
    """What can be checked without Salesforce.

    Object and field names go into SOQL as identifiers, so they must be identifiers;
    answers are written to the record's own fields, so no relationship paths there;
    the condition must be one condition (see condition_problem).
    """
    if not isinstance(pipeline.fields, list) or not pipeline.fields:
        raise InvalidPipeline("Fields: a list of the Salesforce fields sent to the model, e.g. [\"Name\"]")
    if not isinstance(pipeline.answer_mapping, dict):
        raise InvalidPipeline("Answer mapping: an object of answer key → Salesforce field")
    written = written_fields(pipeline)
    names = [pipeline.sobject, *mapped_fields(pipeline), *written]
    bad = [name for name in names if not isinstance(name, str) or not API_NAME.match(name)]
    if bad:
        raise InvalidPipeline(f"Not Salesforce API names: {', '.join(map(repr, bad))}")
    if "." in pipeline.sobject:
        raise InvalidPipeline("The sObject must be a plain API name")
    dotted = [name for name in written if "." in name]
    if dotted:
        raise InvalidPipeline(
            f"Answers are written to the record's own fields, not through relationships: {', '.join(dotted)}"
        )
    if problem := condition_problem(pipeline.selection):
        raise InvalidPipeline(f"The condition: {problem}")
    if not 200 <= pipeline.batch_size <= 2000:
        raise InvalidPipeline("Batch size must be between 200 and 2000 (Salesforce's page sizes)")
    if pipeline.deck_title_pattern:
        try:
            re.compile(pipeline.deck_title_pattern)
        except re.error as exc:
            raise InvalidPipeline(f"Deck title pattern: not a regular expression ({exc})") from None
    if bad_types := [t for t in pipeline.deck_file_types.split(",") if t.strip() and not API_NAME.match(t.strip())]:
        raise InvalidPipeline(f"Deck file types: Salesforce FileType values such as PDF, not {bad_types}")


def condition_problem(condition: str) -> str | None:
    """Why `condition` is not a single SOQL WHERE condition, or None.

    Intake sends it as is inside `WHERE (…) AND SystemModstamp >= … ORDER BY …`, so it
    must stay inside its parentheses: no `;`, balanced parentheses, closed string
    literals, and none of the words that start another clause at its top level. This is
    a guard against pasting a whole query, not a SOQL parser: Salesforce itself checks
    the rest (pipeline_check_in_salesforce).
    """
    if not condition or not condition.strip():
        return "it is empty; write a SOQL condition such as VicBot_Assessment__c = null."
    top_level: list[str] = []  # the text at depth 0 with string literals blanked out
    depth = 0
    i = 0
    while i < len(condition):
        char = condition[i]
        if char == "'":
            end = i + 1
            while end < len(condition) and condition[end] != "'":
                end += 2 if condition[end] == "\\" else 1
            if end >= len(condition):
                return "a string literal is not closed (a ' is missing)."
            top_level.append(" " * (end - i + 1))
            i = end + 1
            continue
        if char == ";":
            return "';' is not part of a condition (one condition, not statements)."
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return "a ')' closes a parenthesis the condition did not open."
        top_level.append(char if depth == 0 or char in "()" else " ")
        i += 1
    if depth:
        return "a '(' is not closed."
    if match := OTHER_CLAUSES.search("".join(top_level)):
        return (
            f"{' '.join(match[0].upper().split())!r} starts another part of a query; write only the condition "
            "(intake adds the SELECT, FROM, ORDER BY and the watermark itself)."
        )
    return None


def pipeline_check_in_salesforce(*, pipeline: Pipeline) -> list[str]:
    """Ask Salesforce whether it takes the pipeline, before it is saved.

    Describes the sObject to check each field sent to the model and each answer field,
    then runs the SELECT intake would run, with LIMIT 1. Raises InvalidPipeline naming
    what Salesforce refused. Returns notes for the operator: the checks it could not
    make (Salesforce not configured or not reachable: the pipeline is then saved
    unchecked, and its first intake pass will tell).
    """
    client = get_client()
    if not client.config.is_configured:
        return ["Salesforce is not configured, so the condition and fields were not checked."]
    try:
        description = _describe(client, pipeline.sobject)
        notes = fields_against_describe(pipeline, description)
        _probe(client, pipeline)
    except SalesforceError as exc:
        if exc.status in REFUSAL_STATUSES:
            what = "the sObject" if exc.status == 404 else "the intake query"
            reason = f"{exc.code or exc.status}: {exc.message.strip()[:500]}"
            raise InvalidPipeline(f"Salesforce refused {what}: {reason}") from exc
        return [
            f"Salesforce could not be asked ({exc.code or exc.status or 'no answer'}: "
            f"{exc.message.strip()[:200]}),"
            " so the condition and fields were not checked; the first intake pass will tell."
        ]
    return notes


def _describe(client: SalesforceClient, sobject: str) -> dict:
    # The client's describe keeps only text lengths; here every field's name and relationship counts.
    with translate_errors():
        return client.salesforce.restful(f"sobjects/{sobject}/describe")


def fields_against_describe(pipeline: Pipeline, description: dict) -> list[str]:
    """Raise InvalidPipeline for a field the sObject's describe lacks; notes on what it could not check.

    A relationship path (`Owner.Name`) is checked by its first hop's relationship name;
    when describe names no relationships it is accepted with a note (the LIMIT 1 query
    still checks it). Answer fields must exist and be updateable.
    """
    fields = {f["name"].lower(): f for f in description.get("fields", [])}
    relationships = {
        f["relationshipName"].lower() for f in description.get("fields", []) if f.get("relationshipName")
    }
    knows_relationships = any("relationshipName" in f for f in description.get("fields", []))
    missing, unwritable, notes = [], [], []
    for name in mapped_fields(pipeline):
        if "." not in name:
            if name.lower() not in fields:
                missing.append(name)
            continue
        first_hop = name.split(".", 1)[0]
        if not knows_relationships:
            notes.append(f"{name}: describe names no relationships, so only the LIMIT 1 query checked it.")
        elif first_hop.lower() not in relationships:
            missing.append(f"{name} (no relationship named {first_hop})")
    for name in written_fields(pipeline):
        field = fields.get(name.lower())
        if field is None:
            missing.append(name)
        elif field.get("updateable") is False:
            unwritable.append(name)
    problems = []
    if missing:
        problems.append(f"{pipeline.sobject} has no field {', '.join(missing)}")
    if unwritable:
        problems.append(f"answers cannot be written to {', '.join(unwritable)} (not updateable)")
    if problems:
        raise InvalidPipeline("Salesforce's describe: " + "; ".join(problems))
    return notes


def _probe(client: SalesforceClient, pipeline: Pipeline) -> None:
    """The first pass's query, LIMIT 1: Salesforce parses the condition and every field in it."""
    first_pass = copy.copy(pipeline)
    first_pass.watermark = None
    soql = intake_query(first_pass, overlap=timedelta(0))
    records = client.query_iter(f"{soql} LIMIT 1", page_size=200)
    try:
        next(records, None)
    finally:
        records.close()


@transaction.atomic
def pipeline_create(*, name: str, every_seconds: int = 300, **fields) -> Pipeline:
    pipeline = Pipeline(
        name=name,
        sobject=fields.pop("sobject", settings.SALESFORCE_PITCH_OBJECT),
        selection=fields.pop("selection", settings.SALESFORCE_PITCH_FILTER),
        fields=fields.pop("fields", list(DEFAULT_FIELDS)),
        answer_mapping=fields.pop("answer_mapping", dict(DEFAULT_ANSWER_MAPPING)),
        **fields,
    )
    pipeline_validate(pipeline)
    pipeline.save()
    pipeline_schedule(pipeline=pipeline, every_seconds=every_seconds)
    return pipeline


def pipeline_schedule(*, pipeline: Pipeline, every_seconds: int) -> PeriodicTask:
    """The pipeline's intake as a django-celery-beat task (editable in the admin afterwards)."""
    interval, _ = IntervalSchedule.objects.get_or_create(every=every_seconds, period=IntervalSchedule.SECONDS)
    task, _ = PeriodicTask.objects.update_or_create(
        name=f"Pull pitches: {pipeline.name}",
        defaults={
            "task": Task.PULL_PITCHES.value,
            "interval": interval,
            "kwargs": json.dumps({"pipeline_id": pipeline.pk}),
            "enabled": pipeline.enabled,
            # A pass that could not start within one interval is superseded by the next.
            "expire_seconds": every_seconds,
            "priority": int(Priority.NEW),  # runs already in flight go first
        },
    )
    Pipeline.objects.filter(pk=pipeline.pk).update(schedule=task)
    pipeline.schedule = task
    pipeline_follow_enabled(pipeline_id=pipeline.pk)  # the switch the admin's form saved, as a state move
    return task
