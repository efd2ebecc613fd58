"""The run engine's one public face: everything code outside `vicbot` may use.

Start, re-run and cancel runs; register the completion handler a run calls when it
ends (and how a re-run of its runs starts, which may refuse with StartRefused, and which
answer keys it reads); read a run's outcome; the operator's commands (save and check an
assistant's version, retry a completion, decide a suggested change, export runs); ask how
many runs of a model may start now (from OpenAI's rate limits, see vicbot.capacity) and
what a run of an assistant is expected to cost (the reservation each run carries while in
flight, for spend caps). Reads several places need are in vicbot.selectors. The rest of
`vicbot` is the engine's own business and may change shape without notice (import-linter
contracts keep `pipelines` to this module, and `console` to it, the selectors and the
models it registers).

    from vicbot.runs import register_completion_handler, start_run

    @register_completion_handler("myapp.verdict")
    def verdict_ready(run, outcome): ...

    start_run(assistant="vicbot", input="…", metadata={"pitch": "42"}, on_complete="myapp.verdict")
"""

from vicbot.log_ids import log_metadata_key
from vicbot.models import TERMINAL_STATUSES, Assistant, Run, RunStatus
from vicbot.services.assistants import (InvalidAssistant, assistant_model_check, assistant_save_new_version,
                                       assistant_validate)
from vicbot.services.capacity import in_flight_allowance, in_flight_room
from vicbot.services.heartbeats import NO_WORKER_WARNING, a_worker_is_alive
from vicbot.services.export import export_lines, run_export_log
from vicbot.services.runs.cancel import run_cancel
from vicbot.services.runs.completion import run_retry_completion
from vicbot.services.runs.cost_estimate import assistant_run_cost_estimate
from vicbot.services.runs.handlers import (StartRefused, UnknownHandler, register_completion_handler,
                                          run_answer_keys)
from vicbot.services.runs.start import run_rerun, start_run
from vicbot.services.runs.usage import price_for, turn_cost
from vicbot.services.suggested_changes import (RejectionNeedsAReason, suggested_change_approve,
                                               suggested_change_reject)
from core.state_machine import MoveNotAllowed, StateMachine

__all__ = [
    "NO_WORKER_WARNING", "TERMINAL_STATUSES", "Assistant", "InvalidAssistant", "MoveNotAllowed",
    "RejectionNeedsAReason", "Run", "RunStatus", "StartRefused", "StateMachine", "UnknownHandler",
    "a_worker_is_alive", "assistant_model_check", "assistant_run_cost_estimate", "assistant_save_new_version",
    "assistant_validate", "export_lines", "in_flight_allowance", "in_flight_room", "log_metadata_key",
    "price_for", "register_completion_handler", "run_answer_keys", "run_cancel", "run_export_log", "run_rerun",
    "run_retry_completion", "start_run", "suggested_change_approve", "suggested_change_reject",
    "turn_cost",
]
