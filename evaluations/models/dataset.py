from django.db import models


class FrozenDataset(ValueError):
    """A frozen dataset (or one of its items) was to be changed: it is the fixed ground scores stand on."""


class Dataset(models.Model):
    """A fixed set of past pitches to replay assistant versions over (evaluations.services.datasets).

    Frozen once built: its items and the dataset itself refuse any save or update after that, so two
    evaluations of the same dataset judged exactly the same inputs and recorded tool answers.
    """

    class Source(models.TextChoices):
        FREEZE = "freeze", "frozen from this database's pitches"
        IMPORT = "import", "imported from JSONL"

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.FREEZE)
    pipeline = models.ForeignKey("pipelines.Pipeline", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", help_text="Where its pitches came from (blank: imported).")
    filters = models.JSONField(default=dict, blank=True,
                               help_text="What was asked for: date range, decided only, run choice.")
    frozen = models.BooleanField(default=False, editable=False)
    frozen_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    item_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.pk and Dataset.objects.filter(pk=self.pk, frozen=True).exists():
            raise FrozenDataset(f"Dataset {self.name!r} is frozen")
        super().save(*args, **kwargs)


class DatasetItemQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if self.filter(dataset__frozen=True).exists():
            raise FrozenDataset("Items of a frozen dataset cannot be changed")
        return super().update(**kwargs)


class DatasetItem(models.Model):
    """One pitch as it was judged: the input sent, every tool call's name, arguments and output from the
    recorded run chosen, the partners' decision at freeze time, and the pitch's date (for the knowledge
    cutoff split). Plain data: replaying it needs neither the pitch nor the run to still exist."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(help_text="Order within the dataset (1-based).")
    pitch = models.ForeignKey("pipelines.Pitch", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    salesforce_id = models.CharField(max_length=18, blank=True)
    name = models.CharField(max_length=255, blank=True)
    pitch_date = models.DateTimeField(null=True, blank=True,
                                      help_text="When the pitch arrived (intake first saw it).")
    source_run = models.ForeignKey("vicbot.Run", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", help_text="The recorded run its input and tools came from.")
    source_assistant = models.CharField(max_length=80, blank=True, help_text="name vN of the recorded run.")
    input = models.TextField(help_text="The input the recorded run sent to the model.")
    input_items = models.JSONField(
        default=list, blank=True,
        help_text="Content items the recorded run sent after its input (its deck, as an input_file).")
    metadata = models.JSONField(default=dict, blank=True,
                                help_text="The recorded run's metadata (its website: the site tools may read).")
    tool_calls = models.JSONField(
        default=list, blank=True,
        help_text="Every recorded tool call in order: [{turn, name, arguments (text), output, status}].")
    answer = models.JSONField(null=True, blank=True, help_text="The recorded run's answer.")
    decision = models.CharField(max_length=10, blank=True,
                                help_text="Partners' outcome at freeze time: advance, pass, undecided.")
    decision_value = models.CharField(max_length=255, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = DatasetItemQuerySet.as_manager()

    class Meta:
        ordering = ["dataset", "position"]
        constraints = [models.UniqueConstraint(fields=["dataset", "position"], name="dataset_item_position_unique")]

    def __str__(self) -> str:
        return f"{self.dataset_id}#{self.position} {self.name or self.salesforce_id}"

    def save(self, *args, **kwargs):
        if Dataset.objects.filter(pk=self.dataset_id, frozen=True).exists():
            raise FrozenDataset("Items of a frozen dataset cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if Dataset.objects.filter(pk=self.dataset_id, frozen=True).exists():
            raise FrozenDataset("Items of a frozen dataset cannot be deleted")
        return super().delete(*args, **kwargs)
