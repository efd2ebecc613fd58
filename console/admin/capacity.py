"""What runs cost and how fast they may start: model prices (edited) and OpenAI's capacity per model
(read-only)."""

from __future__ import annotations

from django.contrib import admin

from console.admin.common import ReadOnlyAdmin
from console.formatting import number, when
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

    # Usable at 1280 px with no horizontal scroll: limits and what is left of them paired in one column
    # each; every field is still on the row's own page.
    list_display = ("model", "requests", "tokens", "throttle_now", "rate_limited_count", "allowance", "read")
    class Media:
        css = {"all": ("console/console.css",)}

    fields = readonly_fields = ("model", "requests_per_minute", "tokens_per_minute", "remaining_requests",
                                "remaining_tokens", "read_at", "throttle_now", "throttled_at", "rate_limited_count",
                                "allowance")

    @admin.display(description="requests left / a minute")
    def requests(self, obj):
        return f"{number(obj.remaining_requests)} / {number(obj.requests_per_minute)}"

    @admin.display(description="tokens left / a minute")
    def tokens(self, obj):
        return f"{number(obj.remaining_tokens)} / {number(obj.tokens_per_minute)}"

    @admin.display(description="read", ordering="read_at")
    def read(self, obj):
        return when(obj.read_at)

    @admin.display(description="Throttle now")
    def throttle_now(self, obj):
        """The share of OpenAI's limits Vicbot allows itself after 429s: 100% means no throttle."""
        share = model_throttle_now(obj)
        return "none" if share >= 1 else f"to {share:.0%} of the limits"

    @admin.display(description="In-flight allowance")
    def allowance(self, obj):
        return in_flight_allowance(obj.model)
