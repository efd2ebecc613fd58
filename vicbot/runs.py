"""The run engine's one public face: everything code outside `vicbot` may use.

Start, re-run and cancel runs; register the completion handler a run calls when it
ends (and how a re-run of its runs starts, which may refuse with StartRefused); read a
run's outcome; ask how many runs of a model may start now (from OpenAI's rate limits,
see vicbot.capacity) and what a run of an assistant is expected to cost (the
reservation each run carries while in flight, for spend caps). The rest of `vicbot` is
the engine's own business and may change shape without notice (an import-linter
contract keeps `pipelines` to this module).

    from vicbot.runs import register_completion_handler, start_run

    @register_completion_handler("myapp.verdict")
    def verdict_ready(run, outcome): ...

    start_run(assistant="vicbot", input="…", metadata={"pitch": "42"}, on_complete="myapp.verdict")
"""

from vicbot.models import TERMINAL_STATUSES, Assistant, Run, RunStatus
from vicbot.retry import RetryPolicy
from vicbot.services.capacity import in_flight_allowance, in_flight_room
from vicbot.services.heartbeats import NO_WORKER_WARNING, a_worker_is_alive
from vicbot.services.runs.cancel import run_cancel
from vicbot.services.runs.cost_estimate import assistant_run_cost_estimate
from vicbot.services.runs.handlers import StartRefused, UnknownHandler, register_completion_handler
from vicbot.services.runs.start import run_rerun, start_run
from core.state_machine import MoveNotAllowed, StateMachine

__all__ = [
    "NO_WORKER_WARNING", "TERMINAL_STATUSES", "Assistant", "MoveNotAllowed", "RetryPolicy", "Run", "RunStatus",
    "StartRefused", "StateMachine", "UnknownHandler", "a_worker_is_alive", "assistant_run_cost_estimate",
    "in_flight_allowance", "in_flight_room", "register_completion_handler", "run_cancel", "run_rerun",
    "start_run",
]
