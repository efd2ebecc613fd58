import logging

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from vicbot import health

log = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, the broker takes a write and a worker is alive; else 503
    naming the failing parts (the details go to the log, not to whoever asked)."""
    problems = {"database": health.database_is_reachable(), "broker": health.broker_accepts_writes()}
    # Without the database the heartbeat cannot be read; "database" already says why.
    if problems["database"] is None:
        problems["worker"] = health.worker_is_alive()
    failed = [name for name, problem in problems.items() if problem]
    for name in failed:
        log.error("healthz: %s check failed: %s", name, problems[name])
    if failed:
        return JsonResponse({"status": "unavailable", "failed": failed}, status=503)
    return JsonResponse({"status": "ok"})
