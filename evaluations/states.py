"""The evaluation's and its trials' declared state machines (core.state_machine)."""

from core.state_machine import StateMachine
from evaluations.models import Evaluation, EvaluationTrial

E = Evaluation.Status
EVALUATION_STATES = StateMachine(Evaluation, "status", [
    (E.PENDING, E.RUNNING, "start"),
    # Every trial ended (replay), or the shadow's pitches or days are used up.
    (E.RUNNING, E.FINISHED, "finish"),
    # Its own spend cap: no more runs start; those in flight end and are counted.
    (E.RUNNING, E.CAPPED, "cap_reached"),
    (E.PENDING, E.CANCELLED, "cancel"),
    (E.RUNNING, E.CANCELLED, "cancel"),
    (E.PENDING, E.FAILED, "fail"),
    (E.RUNNING, E.FAILED, "fail"),
])

T = EvaluationTrial.Status
TRIAL_STATES = StateMachine(EvaluationTrial, "status", [
    (T.PENDING, T.RUNNING, "start"),
    (T.RUNNING, T.DONE, "answer"),
    (T.RUNNING, T.FAILED, "fail"),
    (T.PENDING, T.FAILED, "fail"),  # its run could not even start
    (T.PENDING, T.SKIPPED, "skip"),
])
