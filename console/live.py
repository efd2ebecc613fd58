"""GET /admin/console/runs/<id>/live.json: what a run's page needs to update itself; and
GET /admin/console/runs/live.json?ids=…: the runs list's rows in progress.

Read-only: they never write (not even a session save), so polling costs one small query set.
"""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from console.run_rows import run_row, with_row_facts
from console.timeline import may_see_pitches, run_timeline
from vicbot.models import Run


@never_cache
@require_GET
@staff_member_required
def run_live(request, run_id: int):
    if not request.user.has_perm("vicbot.view_run"):
        raise PermissionDenied
    run = get_object_or_404(Run.objects.select_related("assistant"), pk=run_id)
    return JsonResponse(run_timeline(run, show_pitch=may_see_pitches(request.user)))


# A list page asks for at most this many rows at once (a page of the runs list is 100).
MAX_LIVE_ROWS = 200


@never_cache
@require_GET
@staff_member_required
def runs_live(request):
    """GET /admin/console/runs/live.json?ids=1,2,3: the runs list's row facts for those runs, so rows
    in progress refresh themselves (console/static/console/runs_live.js). Read-only, like run_live."""
    if not request.user.has_perm("vicbot.view_run"):
        raise PermissionDenied
    try:
        ids = [int(part) for part in request.GET.get("ids", "").split(",") if part.strip()][:MAX_LIVE_ROWS]
    except ValueError:
        return JsonResponse({"error": "ids must be run ids separated by commas"}, status=400)
    show_pitch = may_see_pitches(request.user)
    rows = {str(run.pk): run_row(run, show_pitch=show_pitch)
            for run in with_row_facts(Run.objects.filter(pk__in=ids))}
    return JsonResponse({"rows": rows})
