"""GET /admin/console/runs/<id>/live.json: what a run's page needs to update itself.

Read-only: it never writes (not even a session save), so polling costs one small query set.
"""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

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
