"""What the end of a pitch's run means for the pitch: the one place failures are classified.

- answer: the run answered validly; the answer is written back.
- retry: worth another attempt (an incomplete or invalid answer, a refusal, transient
  errors past the engine's own attempts, the deadline, a response cancelled at OpenAI):
  a new run after a backoff, up to the pipeline's max_attempts.
- pause: systemic — the setup, not the pitch (a revoked key, a missing permission, a
  retired model, exhausted quota, a request OpenAI rejects as invalid): the pitch goes back
  to waiting and the pipeline pauses, so one bad setting cannot burn the backlog.
- final: an operator's cancel; the pitch fails at once.
"""

from __future__ import annotations

from enum import StrEnum

from vicbot.runs import RunStatus

OPERATOR_CANCEL = "cancelled"  # the engine's error_code for an operator's cancel


class Verdict(StrEnum):
    ANSWER = "answer"
    RETRY = "retry"
    PAUSE = "pause"
    FINAL = "final"


def attempt_verdict(*, outcome: str, error_code: str, systemic: bool, answer_problem: str = "") -> Verdict:
    """`answer_problem`: why a succeeded run's answer is unusable for the pipeline ('' if it is fine)."""
    if outcome == RunStatus.SUCCEEDED:
        return Verdict.RETRY if answer_problem else Verdict.ANSWER
    if systemic:
        return Verdict.PAUSE
    if outcome == RunStatus.CANCELLED and error_code == OPERATOR_CANCEL:
        return Verdict.FINAL
    return Verdict.RETRY
