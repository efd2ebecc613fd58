"""What runs cost and how fast they may start: model prices (edited) and OpenAI's capacity per model
(read-only)."""

from __future__ import annotations

from django.contrib import admin

from console.admin.common import ReadOnlyAdmin
from vicbot.models import ModelCapacity, ModelPrice
from vicbot.runs import in_flight_allowance
from vicbot.selectors import model_throttle_now


@admin.register(ModelPrice)
class ModelPriceAdmin(admin.ModelAdmin):
    list_display = ("model", "input_per_million", "cached_input_per_million", "output_per_million", "updated_at")


@admin.register(ModelCapacity)
class ModelCapacityAdmin(ReadOnlyAdmin):
    """OpenAI's latest reading per model and what 429s made of it. Written by the OpenAI client only;
    deleting a row forgets the model's throttle (each process records the limits again within a minute)."""

    list_display = ("model", "requests_per_minute", "tokens_per_minute", "remaining_requests", "remaining_tokens",
                    "read_at", "throttle_now", "throttled_at", "rate_limited_count", "allowance")
    fields = readonly_fields = list_display

    @admin.display(description="Throttle now")
    def throttle_now(self, obj):
        return f"{model_throttle_now(obj):.0%}"

    @admin.display(description="In-flight allowance")
    def allowance(self, obj):
        return in_flight_allowance(obj.model)
