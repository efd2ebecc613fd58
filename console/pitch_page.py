"""A pitch as its operator reads it: one status sentence, the fields sent, its runs, its attempts."""

from __future__ import annotations

from django.urls import reverse

from console.admin.pitches import status_sentence
from console.formatting import dollars_exact, when
from console.timeline import answer_parts, salesforce_record_url
from core.models import Transition
from pipelines.models import Pitch
from pipelines.states import PITCH_STATES

# Where an operator's skip (or fail) can take the pitch from.
SET_ASIDE_FROM = PITCH_STATES["skip"].sources

def pitch_page(pitch: Pitch) -> dict:
    runs = []
    for run in pitch.runs.select_related("assistant").order_by("-created_at"):
        runs.append({
            "id": run.pk,
            "url": reverse("admin:vicbot_run_change", args=[run.pk]),
            "status": run.status,
            "status_label": run.get_status_display(),
            "outcome": answer_parts(run)["assessment"],
            "error": run.error_code,
            "cost": dollars_exact(run.cost_usd),
            "when": when(run.created_at),
            "assistant": str(run.assistant),
            "latest": run.pk == pitch.latest_run_id,
        })
    # The History table (the transition log) tells each attempt; a pitch older than the log has its JSON.
    old = not Transition.objects.filter(model=Pitch._meta.label_lower, object_pk=pitch.pk).exists()
    attempts = [{**entry, "run_url": reverse("admin:vicbot_run_change", args=[entry["run"]]) if entry.get("run") else ""}
                for entry in (pitch.attempt_log or []) if isinstance(entry, dict) and old]
    past_cap = [{**entry, "run_url": reverse("admin:vicbot_run_change", args=[entry["run"]])
                 if entry.get("run") else ""}
                for entry in (pitch.past_cap_starts or []) if isinstance(entry, dict)]
    return {
        "status_sentence": status_sentence(pitch),
        "past_cap_starts": past_cap,
        "record_url": salesforce_record_url(pitch.salesforce_id),
        "snapshot": [(str(k), "" if v is None else str(v)) for k, v in (pitch.snapshot or {}).items()],
        "runs": runs,
        "attempts": attempts,
        "writeback_values": list((pitch.writeback_values or {}).items()),
        "changelist_url": reverse("admin:pipelines_pitch_changelist"),
        "can_retry_writeback": pitch.writeback_state == Pitch.WriteBack.FAILED and bool(pitch.writeback_values),
        "can_set_aside": pitch.status in SET_ASIDE_FROM,
        "times": {"created": when(pitch.created_at), "updated": when(pitch.updated_at),
                  "next_attempt": when(pitch.next_attempt_at), "written_back": when(pitch.written_back_at),
                  "next_writeback": when(pitch.next_writeback_at), "modstamp": when(pitch.system_modstamp),
                  "operator": when(pitch.operator_at)},
    }
