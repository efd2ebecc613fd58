"""Taking in the end of a pitch's run: the completion handler of every pitch run.

It runs inside the engine's transaction that records the run's end, so whatever it
decides (answer stored and write-back queued, retry scheduled, pipeline paused, pitch
failed) happens exactly once.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from core.models import Transition
from core.retry import RetryPolicy
from pipelines.models import Pipeline, Pitch
from pipelines.selectors import pitches_waiting
from pipelines.services import salesforce_status
from pipelines.services.admission import pitches_admit_soon
from pipelines.services.handler_keys import PITCH_EVALUATED
from pipelines.services.manual import pitch_start_on_request
from pipelines.services.notifications import Kind, notify
from pipelines.services.outcomes import CONTEXT_TOO_LONG, OPERATOR_CANCEL, Verdict, attempt_verdict, unclear_failure
from pipelines.services.decks import deck_upload_refused
from pipelines.services.prompt import shortened_field_chars, times_too_long
from pipelines.services.pause import pipeline_pause, pipeline_probe_again, pipeline_resume
from pipelines.services.writeback import writeback_queue
from pipelines.states import PITCH_STATES
from vicbot.runs import Run, RunStatus, register_completion_handler

log = logging.getLogger(__name__)

# How far back a failure on another pitch still counts as "the same failure" (see _failed_alike_elsewhere).
ALIKE_WINDOW = timedelta(hours=6)


class PitchAnswer(BaseModel):
    """The answer the pipeline writes back, validated like user input: never a blank."""

    model_config = ConfigDict(extra="allow")
    Assessment: str
    Reasoning: str

    @field_validator("Assessment", "Reasoning")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


def pitch_retry_policy(pipeline: Pipeline) -> RetryPolicy:
    return RetryPolicy(base_seconds=settings.PIPELINE_RETRY_SECONDS, cap_seconds=3600,
                       max_attempts=pipeline.max_attempts)


def pitch_rerun(run: Run, *, confirmed_by: str = "") -> Run | None:
    """An operator's "Re-run" of a pitch's run evaluates the pitch again under the pipeline's rules (spend
    cap, in-flight limit): the new run becomes its current one, or the pitch waits for a slot (None)."""
    pitch = Pitch.objects.select_related("pipeline").filter(pk=run.metadata.get("pitch")).first()
    if pitch is None:
        return None
    return pitch_start_on_request(pitch=pitch, trigger=Run.Trigger.ADMIN, past_cap_by=confirmed_by)


# The answer's verdict and its reasoning, in that order: what the console shows as a pitch run's answer.
@register_completion_handler(PITCH_EVALUATED, rerun=pitch_rerun, answer_keys=tuple(PitchAnswer.model_fields))
def pitch_run_completed(run: Run, outcome: str) -> None:
    pitch = Pitch.objects.select_for_update().select_related("pipeline").filter(pk=run.metadata.get("pitch")).first()
    if pitch is None:
        return
    pipeline = pitch.pipeline
    if pitch.latest_run_id != run.pk or pitch.status != Pitch.Status.EVALUATING:
        # Superseded (the record was edited, or an operator evaluated it again): the run keeps
        # its own record of how it ended; the pitch follows its newer run.
        if pipeline.probe_run_id == run.pk:
            pipeline_probe_again(pipeline_id=pipeline.pk, run_id=run.pk)  # the next admission probes again
        return
    if (file_id := run.metadata.get("deck_file_id")) and outcome != RunStatus.SUCCEEDED and file_id in run.error_message:
        deck_upload_refused(int(run.metadata["deck"]), file_id)  # gone at OpenAI: the retry uploads it again
    answer, problem = _answer(run) if outcome == RunStatus.SUCCEEDED else (None, "")
    unclear = unclear_failure(error_code=run.error_code, systemic=run.error_systemic)
    verdict = attempt_verdict(outcome=outcome, error_code=run.error_code, systemic=run.error_systemic,
                              answer_problem=problem,
                              failed_alike_elsewhere=unclear and _failed_alike_elsewhere(pipeline, pitch, run))
    reason = problem or f"{run.error_code}: {run.error_message}".strip(": ")
    if unclear and verdict == Verdict.RETRY:
        reason += " (counted as this pitch's attempt: no other pitch has failed this way yet)"
    code = "invalid_answer" if problem else run.error_code
    attempt_log = [*pitch.attempt_log, {"run": run.pk, "outcome": outcome, "verdict": verdict, "code": code,
                                        "reason": reason, "at": timezone.now().isoformat(timespec="seconds")}]
    policy = pitch_retry_policy(pipeline)
    # The attempt as the pitch's history shows it (the transition's note); attempt_log is the retry
    # policy's memory of this round (reset when a new round starts).
    note = f"run {run.pk} {outcome}: {reason}".strip(": ")

    if verdict == Verdict.FINAL and (answered := _answered_before_this_round(pitch)):
        _keep_answer(pitch, pipeline, run, answered, note=note)
    elif verdict == Verdict.ANSWER:
        PITCH_STATES.apply(pitch.pk, "answer", note=note, assessment=answer.Assessment[:255],
                           reasoning=answer.Reasoning,
                           error="", attempt_log=attempt_log)
        writeback_queue(pitch_id=pitch.pk, pipeline_id=pipeline.pk, run_id=run.pk,
                        values=_answer_values(pipeline, answer), locked_state=pitch.writeback_state,
                        background=run.background)
    elif verdict == Verdict.PAUSE:
        log.warning("pipeline %s paused by run %s: %s", pipeline.name, run.pk, reason)
        # The pitch was not at fault: it waits again, and this attempt does not count.
        PITCH_STATES.apply(pitch.pk, "put_back", note=note, attempts=max(pitch.attempts - 1, 0),
                           attempt_log=attempt_log,
                           error=f"Waiting: the pipeline paused ({reason})")
        pipeline_pause(pipeline_id=pipeline.pk, reason=f"Run {run.pk}: {reason}", run_id=run.pk, pitch_id=pitch.pk)
    elif verdict == Verdict.RETRY and not policy.exhausted(pitch.attempts):
        delay = policy.delay(pitch.attempts)
        shorter = shortened_field_chars(pipeline, times_too_long=times_too_long(attempt_log))
        how = f", each field cut to {shorter} characters" if code == CONTEXT_TOO_LONG and shorter else ""
        PITCH_STATES.apply(pitch.pk, "retry_later", note=note, attempt_log=attempt_log,
                           next_attempt_at=timezone.now() + timedelta(seconds=delay),
                           error=f"Attempt {pitch.attempts} of {pipeline.max_attempts} failed ({reason}); "
                                 f"trying again in {delay:g}s{how}")
    else:
        _pitch_failed(pitch, pipeline, run, attempt_log, final=verdict == Verdict.FINAL, note=note)

    if run.tool_systemic_error and verdict != Verdict.PAUSE:
        # The pitch keeps its answer, but the next ones would be researched without the tool
        # (e.g. PitchBook credits exhausted): pause until the probe's tool calls get through.
        pipeline_pause(pipeline_id=pipeline.pk, reason=f"Run {run.pk}: a tool failed: {run.tool_systemic_error}")
    elif pipeline.probe_run_id == run.pk and verdict != Verdict.PAUSE:
        pipeline_resume(pipeline_id=pipeline.pk)  # the probe got past the problem
    # A slot is free: let the next waiting pitch in now rather than at the next pass — if one
    # waits. (Sent for every answer, admissions that found nothing were a task per pitch under
    # load, and hundreds still queued when the last pitch was written.)
    if pitches_waiting(pipeline=pipeline, due_at=timezone.now()).exists():
        pitches_admit_soon(pipeline.pk)


def _answer(run: Run) -> tuple[PitchAnswer | None, str]:
    try:
        return PitchAnswer.model_validate(run.output_json), ""
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "answer"
        return None, f"invalid_answer: {where} {first['msg']}"


def _answer_values(pipeline: Pipeline, answer: PitchAnswer) -> dict[str, str]:
    fields = answer.model_dump()
    values = {field: str(fields[key]) for key, field in pipeline.answer_mapping.items() if fields.get(key) is not None}
    if pipeline.status_field:
        values[pipeline.status_field] = salesforce_status.ASSESSED
    return values


def _failed_alike_elsewhere(pipeline: Pipeline, pitch: Pitch, run: Run) -> bool:
    """Whether a run of another of the pipeline's pitches failed with the same code since the
    pipeline's last answer: then the failure is about the setup (e.g. an assistant edit that every
    request now fails), not about this pitch. Answers in between mean other requests get through."""
    since = timezone.now() - ALIKE_WINDOW
    runs = Run.objects.filter(pitches__pipeline=pipeline, finished_at__gte=since)
    last_answer = runs.filter(status=RunStatus.SUCCEEDED).order_by("-finished_at").values_list(
        "finished_at", flat=True).first()
    alike = runs.filter(status=RunStatus.FAILED, error_code=run.error_code, error_systemic=True).exclude(
        pitches=pitch).exclude(pk=run.pk)
    if last_answer is not None:
        alike = alike.filter(finished_at__gt=last_answer)
    return alike.exists()


# How an operator's request for a new evaluation moves the pitch (at once, or after waiting for a slot).
_ROUND_STARTS = ("evaluate_now", "wait_for_slot", "record_changed")


def _answered_before_this_round(pitch: Pitch) -> str:
    """The answered state (evaluated, written back) the pitch left when its current round began, or ''.

    Read from the transition log: only an operator's "Evaluate again" or "Re-run" of an answered
    pitch begins a round from an answer; a round the record's edit began answers new text.
    """
    start = (Transition.objects.filter(model=Pitch._meta.label_lower, object_pk=pitch.pk, field="status",
                                       operation__in=_ROUND_STARTS).order_by("-at", "-pk").first())
    if start is None or start.operation == "record_changed":
        return ""
    return start.from_state if start.from_state in (Pitch.Status.EVALUATED, Pitch.Status.WRITTEN_BACK) else ""


def _keep_answer(pitch: Pitch, pipeline: Pipeline, run: Run, answered: str, *, note: str) -> None:
    """An operator cancelled the re-evaluation of an answered pitch: its answer stands, as it stood.

    Written back, it stays so (Salesforce already holds it; nothing is sent). Not yet written, its
    write-back (superseded when the re-evaluation began) is queued again with the same values.
    """
    note = f"{note}; the earlier answer stands"[:500]
    if answered == Pitch.Status.WRITTEN_BACK and pitch.writeback_state == Pitch.WriteBack.DONE:
        PITCH_STATES.apply(pitch.pk, "keep_written_answer", note=note, error="")
        return
    PITCH_STATES.apply(pitch.pk, "keep_answer", note=note, error="")
    if pitch.writeback_state == Pitch.WriteBack.SUPERSEDED and pitch.writeback_values and pitch.writeback_run_id:
        writeback_queue(pitch_id=pitch.pk, pipeline_id=pipeline.pk, run_id=pitch.writeback_run_id,
                        values=pitch.writeback_values, locked_state=pitch.writeback_state)


def _pitch_failed(pitch: Pitch, pipeline: Pipeline, run: Run, attempt_log: list[dict], *, final: bool,
                  note: str) -> None:
    why = "; ".join(f"run {entry['run']}: {entry['reason']}" for entry in attempt_log)
    message = (f"Cancelled by an operator ({why})" if final
               else f"No usable answer after {len(attempt_log)} attempts ({why})")
    log.warning("pitch %s failed: %s", pitch.pk, message)
    if PITCH_STATES.apply(pitch.pk, "fail", note=note, error=message, attempt_log=attempt_log) and not final:
        # An operator's cancel is no news to the operator; a pitch that ran out of attempts is.
        notify(Kind.PITCH_FAILED, f"Pitch {pitch.name or pitch.salesforce_id} of pipeline {pipeline.name} failed for good: {message}",
               pipeline_id=pipeline.pk)
    if pipeline.status_field:
        # Salesforce shows that Vicbot could not assess the record, and why, in its fixed words (the
        # whole story is on the pitch's page); the answer fields stay as they are.
        status = (salesforce_status.CANCELLED_BY_OPERATOR if final and run.error_code == OPERATOR_CANCEL
                  else salesforce_status.not_assessed(last_code=attempt_log[-1].get("code", ""),
                                                      attempts=len(attempt_log)))
        writeback_queue(pitch_id=pitch.pk, pipeline_id=pipeline.pk, run_id=run.pk,
                        values={pipeline.status_field: status}, locked_state=pitch.writeback_state,
                        background=run.background)
