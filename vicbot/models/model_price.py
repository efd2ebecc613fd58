from decimal import Decimal

from django.db import models


class ModelPrice(models.Model):
    """USD per million tokens, kept as data because prices change more often than code."""

    model = models.CharField(max_length=100, unique=True, help_text="Exact model id, or a prefix of one.")
    input_per_million = models.DecimalField(max_digits=10, decimal_places=4)
    cached_input_per_million = models.DecimalField(max_digits=10, decimal_places=4)
    output_per_million = models.DecimalField(max_digits=10, decimal_places=4)
    # Flex and Batch are billed at about half of Standard; a run's tokens served at flex (the tier each
    # response reports) are priced with it.
    flex_multiplier = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("0.50"))
    knowledge_cutoff = models.DateField(
        null=True, blank=True,
        help_text="The model's training-data cutoff: evaluations also score only pitches dated after it "
                  "(what the model may have read about a company online flatters it).")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["model"]

    def __str__(self) -> str:
        return self.model
