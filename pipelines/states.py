"""The pitch's two declared state machines: where it stands, and where its write-back stands.

Every change of `Pitch.status` or `Pitch.writeback_state` is a row of these tables,
applied as a compare-and-set (vicbot.state_machine). When both change together (the
answer is written, so the pitch is written back) they change in one UPDATE.
"""

from pipelines.models import Pitch
from vicbot.runs import StateMachine

P = Pitch.Status
PITCH_STATES = StateMachine(Pitch, "status", [
    (P.NEW, P.EVALUATING, "admit"),
    # "Evaluate again" (admin, command) starts a run whatever the pitch's state.
    *[(status, P.EVALUATING, "evaluate_now") for status in P],
    (P.EVALUATING, P.EVALUATED, "answer"),
    (P.EVALUATING, P.FAILED, "fail"),
    (P.EVALUATED, P.WRITTEN_BACK, "written_back"),
    (P.EVALUATED, P.DELETED, "deleted"),
    # Intake saw a change to the fields the model reads: the pitch waits for a new run.
    *[(status, P.NEW, "record_changed") for status in (P.NEW, P.EVALUATED, P.WRITTEN_BACK, P.FAILED)],
])

W = Pitch.WriteBack
WRITEBACK_STATES = StateMachine(Pitch, "writeback_state", [
    # A new answer is queued whatever happened to the previous one.
    *[(state, W.QUEUED, "queue") for state in W],
    (W.QUEUED, W.WRITING, "claim"),
    (W.WRITING, W.DONE, "succeed"),
    (W.WRITING, W.QUEUED, "retry"),
    (W.WRITING, W.FAILED, "fail"),
    # A claim whose worker died long ago.
    (W.WRITING, W.QUEUED, "reclaim_stale"),
    # An operator's retry of a failed write-back.
    (W.FAILED, W.QUEUED, "retry_failed"),
])
