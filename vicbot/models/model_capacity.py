from django.db import models


class ModelCapacity(models.Model):
    """What OpenAI allows one model per minute (its latest x-ratelimit-* reading) and how hard it pushed back.

    The in-flight allowance is computed from it (vicbot.capacity); rows are written by the
    OpenAI client's listener (vicbot.services.capacity), never edited by hand.
    """

    model = models.CharField(max_length=100, unique=True)
    requests_per_minute = models.PositiveBigIntegerField(null=True, blank=True)
    tokens_per_minute = models.PositiveBigIntegerField(null=True, blank=True)
    remaining_requests = models.PositiveBigIntegerField(null=True, blank=True)
    remaining_tokens = models.PositiveBigIntegerField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True, help_text="When the limits were last recorded.")
    throttle = models.FloatField(
        default=1.0, help_text="Share of the limits used, as set by the last 429 (it recovers with time).")
    throttled_at = models.DateTimeField(null=True, blank=True, help_text="The last 429 that lowered the throttle.")
    rate_limited_count = models.PositiveIntegerField(default=0, help_text="429s about speed seen for this model.")

    class Meta:
        ordering = ["model"]
        verbose_name_plural = "model capacities"

    def __str__(self) -> str:
        return self.model
