"""POST /webhooks/openai/: verify, record once, answer fast; the work happens in a task."""

from __future__ import annotations

import json

import openai
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.openai.client import get_client, warm_webhooks
from vicbot.services.runs.webhooks import webhook_event_record

# Loaded with the URLconf, which config/wsgi.py loads as a web process boots: the first webhook of a
# fresh process (a lone pitch's, say) would otherwise wait for the client and the SDK's resource.
warm_webhooks()


@csrf_exempt
@require_POST
def openai_webhook(request):
    if not settings.OPENAI_WEBHOOK_SECRET:
        return JsonResponse({"error": "webhooks are not configured (OPENAI_WEBHOOK_SECRET)"}, status=404)
    try:
        # The raw body: the signature covers the exact bytes OpenAI sent.
        get_client().webhooks.verify_signature(request.body, request.headers, secret=settings.OPENAI_WEBHOOK_SECRET)
        event = json.loads(request.body)
    except (openai.InvalidWebhookSignatureError, ValueError) as exc:
        return JsonResponse({"error": f"invalid webhook: {exc}"}, status=400)
    data = event.get("data") if isinstance(event.get("data"), dict) else {}
    response_id = data.get("id", "") if str(event.get("type", "")).startswith("response.") else ""
    webhook_event_record(
        webhook_id=request.headers["webhook-id"], event_type=str(event.get("type", "")), response_id=response_id
    )
    return HttpResponse(status=200)
