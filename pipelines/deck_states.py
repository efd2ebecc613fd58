"""The deck's declared state machine (pipelines.models.Deck.status), applied as compare-and-set."""

from pipelines.models import Deck
from core.state_machine import StateMachine

D = Deck.Status
DECK_STATES = StateMachine(Deck, "status", [
    # A worker takes a found deck to read it (download, check, upload); a claim whose worker died
    # long ago is taken again.
    (D.FOUND, D.READING, "claim"),
    (D.READING, D.READING, "reclaim_stale"),
    (D.READING, D.READY, "ready"),
    # Unreadable, refused or too large: the pitch is assessed without it, the reason kept.
    (D.READING, D.UNUSABLE, "unusable"),
    # A passing failure (Salesforce or OpenAI unavailable): found again, tried later.
    (D.READING, D.FOUND, "try_later"),
    # OpenAI no longer has the upload (it expired or was deleted): read and uploaded again.
    (D.READY, D.FOUND, "upload_gone"),
])
