"""Settings of a pipeline that only show as wrong when it runs, checked where the operator looks.

An unknown assistant is refused when the pipeline is saved in the admin; one deleted or renamed
afterwards fails the intake pass, recorded on the pipeline's page like any failed pass, instead
of an exception on every tick that the operator never sees while the pipeline reads "running".
"""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from pipelines.models import Pipeline
from vicbot.runs import Assistant


def assistant_problem(assistant_name: str) -> str:
    """Why no run of this pipeline can start ('' if its assistant exists)."""
    if Assistant.objects.filter(name=assistant_name).exists():
        return ""
    names = sorted(set(Assistant.objects.values_list("name", flat=True)))
    known = ", ".join(names) if names else "none yet"
    return (f"No assistant is named {assistant_name!r}, so no run can start; choose an existing one "
            f"on the pipeline's page (assistants: {known}).")


def pipeline_record_configuration_error(*, pipeline_id: int, message: str, failed_pass: bool) -> None:
    """Shown as the pipeline's last intake error. `failed_pass`: an intake pass failed on it (counted
    in the failures in a row); otherwise admission found it between passes."""
    more = {"intake_failures_in_a_row": F("intake_failures_in_a_row") + 1} if failed_pass else {}
    Pipeline.objects.filter(pk=pipeline_id).update(last_intake_error=message, last_intake_error_at=timezone.now(),
                                                   **more)
