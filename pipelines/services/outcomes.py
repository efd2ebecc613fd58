"""What the end of a pitch's run means for the pitch: the one place failures are classified.

- answer: the run answered validly; the answer is written back.
- retry: worth another attempt (an incomplete or invalid answer, a refusal, transient
  errors past the engine's own attempts, the deadline, a response cancelled at OpenAI,
  and a request OpenAI refused for what it carried — the pitch's own text: invalid_prompt,
  context_length_exceeded, a content filter, an unreadable image or file): a new run after
  a backoff, up to the pipeline's max_attempts. Such a failure is that pitch's alone: the
  next pitch would not fail the same way, so it must not stop the pipeline.
- pause: systemic — the setup, not the pitch (a revoked key, a missing permission, a
  retired model, exhausted quota): the pitch goes back to waiting and the pipeline pauses,
  so one bad setting cannot burn the backlog. A 400 whose code does not say whose fault it
  is (it may follow an assistant edit, or come from one pitch's text) pauses only once a
  different pitch has failed the same way; until then it is the pitch's attempt.
- final: an operator's cancel; the pitch fails at once.
"""

from __future__ import annotations

from enum import StrEnum

from integrations.openai.errors import REQUEST_CONTENT_CODES, Fault, fault_of
from vicbot.runs import RunStatus

OPERATOR_CANCEL = "cancelled"  # the engine's error_code for an operator's cancel
CONTEXT_TOO_LONG = "context_length_exceeded"


class Verdict(StrEnum):
    ANSWER = "answer"
    RETRY = "retry"
    PAUSE = "pause"
    FINAL = "final"


def attempt_verdict(*, outcome: str, error_code: str, systemic: bool, answer_problem: str = "",
                    failed_alike_elsewhere: bool = False) -> Verdict:
    """`answer_problem`: why a succeeded run's answer is unusable for the pipeline ('' if it is fine).
    `failed_alike_elsewhere`: another pitch's run failed with the same code since the pipeline last
    got an answer (only read for a failure whose code does not tell, see `unclear_failure`)."""
    if outcome == RunStatus.SUCCEEDED:
        return Verdict.RETRY if answer_problem else Verdict.ANSWER
    if systemic:
        if unclear_failure(error_code=error_code, systemic=systemic) and not failed_alike_elsewhere:
            return Verdict.RETRY
        return Verdict.PAUSE
    if outcome == RunStatus.CANCELLED and error_code == OPERATOR_CANCEL:
        return Verdict.FINAL
    return Verdict.RETRY


def unclear_failure(*, error_code: str, systemic: bool) -> bool:
    """A systemic-looking failure that may as well be the pitch's own: its code names neither side."""
    return systemic and fault_of(error_code, None) == Fault.UNCLEAR


def caused_by_content(error_code: str) -> bool:
    """OpenAI refused what the request carried (the pitch's text or what its research brought in)."""
    return error_code in REQUEST_CONTENT_CODES or error_code == "incomplete:content_filter"
