from django.urls import path

from vicbot.views import health, webhooks

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("webhooks/openai/", webhooks.openai_webhook, name="openai-webhook"),
]
