from django.http import JsonResponse
from django.views.decorators.http import require_GET

from vicbot import health


@require_GET
def healthz(request):
    problems = {
        name: error
        for name, error in (
            ("database", health.database_is_reachable()),
            ("broker", health.broker_is_reachable()),
        )
        if error
    }
    if problems:
        return JsonResponse({"status": "unavailable", "failed": problems}, status=503)
    return JsonResponse({"status": "ok"})
