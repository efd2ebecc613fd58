"""The pitch's two declared state machines (where it stands, where its write-back stands), and the pipeline's.

Every change of `Pitch.status` or `Pitch.writeback_state` is a row of these tables,
applied as a compare-and-set (core.state_machine). When both change together (the
answer is written, so the pitch is written back) they change in one UPDATE.
"""

from core.state_machine import StateMachine
from pipelines.models import Pipeline, Pitch

P = Pitch.Status
PITCH_STATES = StateMachine(Pitch, "status", [
    # Admission starts a run for a waiting pitch, or for one whose retry is due.
    (P.NEW, P.EVALUATING, "admit"),
    (P.RETRY_WAITING, P.EVALUATING, "admit"),
    # "Evaluate again" and "Re-run" (admin, command) start a run whatever the pitch's state,
    # except a record intake could not store: it is never admitted (an edit brings it back)...
    *[(status, P.EVALUATING, "evaluate_now") for status in P if status != P.REJECTED],
    # ...when the pipeline has a free slot; otherwise the pitch waits for admission to start it.
    *[(status, P.NEW, "wait_for_slot") for status in P if status not in (P.EVALUATING, P.REJECTED)],
    # How a run ends for its pitch (pipelines.services.outcomes classifies it).
    (P.EVALUATING, P.EVALUATED, "answer"),
    (P.EVALUATING, P.RETRY_WAITING, "retry_later"),
    (P.EVALUATING, P.NEW, "put_back"),  # a systemic failure: the pitch was not at fault
    (P.EVALUATING, P.FAILED, "fail"),
    # An operator cancelled a re-evaluation of an answered pitch: the answer it had stands (and stays
    # written back if it was); the cancelled run is kept beside it (pipelines.services.evaluation).
    (P.EVALUATING, P.EVALUATED, "keep_answer"),
    (P.EVALUATING, P.WRITTEN_BACK, "keep_written_answer"),
    # An operator sets a pitch aside, with a reason (pipelines.services.operator): skipped, it is never
    # admitted nor written back until someone evaluates it again; failed, Salesforce's status field says so.
    *[(status, P.SKIPPED, "skip") for status in (P.NEW, P.RETRY_WAITING, P.EVALUATING, P.EVALUATED, P.FAILED)],
    *[(status, P.FAILED, "fail_by_operator") for status in (P.NEW, P.RETRY_WAITING, P.EVALUATING, P.EVALUATED)],
    # The write-back.
    (P.EVALUATED, P.WRITTEN_BACK, "written_back"),
    (P.EVALUATED, P.DELETED, "deleted"),
    (P.FAILED, P.DELETED, "deleted"),
    (P.SKIPPED, P.DELETED, "deleted"),
    # Intake saw a change to the fields the model reads: the edited text is evaluated anew
    # (a run in flight is cancelled; a pending write-back superseded).
    *[(status, P.NEW, "record_changed")
      for status in (P.NEW, P.EVALUATING, P.RETRY_WAITING, P.EVALUATED, P.WRITTEN_BACK, P.FAILED, P.REJECTED)],
    # Intake could not store the record, even cleaned: set aside with the reason, and the pass
    # goes on (pipelines.services.intake). A run in flight for the earlier text is cancelled.
    *[(status, P.REJECTED, "reject")
      for status in (P.NEW, P.EVALUATING, P.RETRY_WAITING, P.EVALUATED, P.WRITTEN_BACK, P.FAILED, P.REJECTED)],
])

W = Pitch.WriteBack
WRITEBACK_STATES = StateMachine(Pitch, "writeback_state", [
    # A new answer (or a final failure's status) is queued whatever happened to the previous one.
    *[(state, W.QUEUED, "queue") for state in W],
    # A newer evaluation started before this write went out: it will never be sent.
    (W.QUEUED, W.SUPERSEDED, "supersede"),
    (W.QUEUED, W.WRITING, "claim"),
    (W.WRITING, W.DONE, "succeed"),
    (W.WRITING, W.QUEUED, "retry"),
    # A failed attempt whose pitch moved on meanwhile is not tried again: a newer evaluation owns the record.
    (W.WRITING, W.SUPERSEDED, "drop_superseded"),
    (W.WRITING, W.FAILED, "fail"),
    # A claim whose worker died long ago.
    (W.WRITING, W.QUEUED, "reclaim_stale"),
    # An operator's retry of a failed write-back.
    (W.FAILED, W.QUEUED, "retry_failed"),
])

PL = Pipeline.State
PIPELINE_STATES = StateMachine(Pipeline, "state", [
    # A systemic failure (pipelines.services.pause): no run starts but one probe after a growing
    # cool-down. A failed probe pauses again; so does a failure while paused for spend.
    *[(state, PL.PAUSED, "pause") for state in (PL.RUNNING, PL.PAUSED, PL.PROBING, PL.PAUSED_FOR_SPEND)],
    # Admission started the probe run; if the probe's pitch moves on without it, the next admission
    # probes again.
    (PL.PAUSED, PL.PROBING, "probe"),
    (PL.PROBING, PL.PAUSED, "probe_again"),
    # The daily spend cap, until the next UTC day (admission).
    (PL.RUNNING, PL.PAUSED_FOR_SPEND, "pause_for_spend"),
    (PL.PAUSED, PL.PAUSED_FOR_SPEND, "pause_for_spend"),
    # A probe got past the problem, a new day came, or an operator's "Resume now".
    *[(state, PL.RUNNING, "resume") for state in (PL.PAUSED, PL.PROBING, PL.PAUSED_FOR_SPEND)],
    # The operator's `enabled` switch (pipelines.services.pause.pipeline_follow_enabled).
    *[(state, PL.DISABLED, "disable") for state in (PL.RUNNING, PL.PAUSED, PL.PROBING, PL.PAUSED_FOR_SPEND)],
    (PL.DISABLED, PL.RUNNING, "enable"),
])

