"""A record edited in Salesforce: the edited text is what gets evaluated and written.

Intake notices edits on its passes; the write-back checks the records once more just
before it writes (an edit made after the last pass could otherwise be overwritten by the
answer to the old text, after which the pipeline's condition may no longer select it).
"""

from __future__ import annotations

from pipelines.models import Deck, Pitch
from pipelines.services.records import RecordText
from pipelines.states import PITCH_STATES, WRITEBACK_STATES
from vicbot.runs import run_cancel

SUPERSEDED_BY_EDIT = "Superseded: the record was edited in Salesforce before this was written"


def pitch_record_changed(pitch: Pitch, *, text: RecordText, deck: Deck | None | object = ...) -> bool:
    """Evaluate the edited text anew: a run in flight for the old text is cancelled, and an
    answer still waiting to be written is superseded (both recorded). False if the pitch could
    not move (e.g. it was deleted). `deck`: the record's deck now (a new version is an edit too);
    left as it is when not given."""
    also = {} if deck is ... else {"deck": deck}
    if not PITCH_STATES.apply(pitch.pk, "record_changed", **text.pitch_fields(),
                              attempts=0, attempt_log=[], next_attempt_at=None, error="", **also):
        return False
    WRITEBACK_STATES.apply(pitch.pk, "supersede", writeback_error=SUPERSEDED_BY_EDIT)
    if pitch.status == Pitch.Status.EVALUATING and pitch.latest_run_id:
        run_cancel(run_id=pitch.latest_run_id, code="superseded",
                   reason="The record (or its deck) was edited in Salesforce while this run was in flight; "
                          "the edited record is evaluated anew")
    return True
