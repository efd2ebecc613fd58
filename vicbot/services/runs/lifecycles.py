"""A tool call's and a run's completion handler's declared state machines.

Beside RUN_STATES (state.py): every change of `ToolCall.status` and `Run.completion_state` is a
row of these tables, applied as a compare-and-set and logged (core.state_machine).
"""

from core.state_machine import StateMachine
from vicbot.models import CompletionState, Run, ToolCall

T = ToolCall.Status
# Created pending, or already refused (over a per-turn or per-run limit: tool_limits).
TOOL_CALL_STATES = StateMachine(ToolCall, "status", [
    # tool_call_execute claims a turn's waiting calls, then records each as it ends.
    (T.PENDING, T.RUNNING, "claim"),
    (T.RUNNING, T.SUCCEEDED, "succeed"),
    (T.RUNNING, T.FAILED, "fail"),
    (T.RUNNING, T.TIMED_OUT, "time_out"),
    # The run ended before the call ran (cancelled, timed out): it never will.
    (T.PENDING, T.SKIPPED, "skip"),
    # The tick: a call whose task was lost is sent again, or given up after its attempts.
    (T.PENDING, T.PENDING, "resend"),
    (T.RUNNING, T.PENDING, "resend"),
    (T.PENDING, T.TIMED_OUT, "give_up"),
    (T.RUNNING, T.TIMED_OUT, "give_up"),
    # Only ever created refused; listed so the table names every state of the field.
    (T.REFUSED, T.REFUSED, "refused"),
])
TOOL_CALL_END_OPERATIONS = {T.SUCCEEDED: "succeed", T.FAILED: "fail", T.TIMED_OUT: "time_out"}

C = CompletionState
COMPLETION_STATES = StateMachine(Run, "completion_state", [
    # run_end: the run's handler is due, in the same UPDATE that ends the run.
    (C.NOT_DUE, C.PENDING, "due"),
    # run_complete: the handler ran (inside the same transaction), or raised.
    (C.PENDING, C.DONE, "done"),
    (C.PENDING, C.FAILED, "handler_failed"),
    # An operator's retry of a handler that raised.
    (C.FAILED, C.PENDING, "retry"),
])
