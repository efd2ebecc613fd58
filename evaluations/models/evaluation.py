from django.db import models


class Evaluation(models.Model):
    """A candidate assistant version judged beside the baseline (the version new runs use).

    Replay: both versions run over a frozen dataset, each pitch k times, with every tool call answered from
    the recording (no tool reaches Salesforce, PitchBook or the web; nothing is written back). Shadow: the
    candidate also judges live pitches of a pipeline beside the real run, with live read-only tools, for
    a number of pitches or days. Its spend is its own (spend_cap_usd), never a pipeline's daily cap.
    Its status moves only through evaluations.states.EVALUATION_STATES.
    """

    class Kind(models.TextChoices):
        REPLAY = "replay", "replay over a dataset"
        SHADOW = "shadow", "shadow runs on live pitches"

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        FINISHED = "finished"
        CAPPED = "capped", "stopped at its spend cap"
        CANCELLED = "cancelled"
        FAILED = "failed"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REPLAY)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, editable=False)
    dataset = models.ForeignKey("evaluations.Dataset", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="evaluations", help_text="Replay: the pitches judged.")
    pipeline = models.ForeignKey("pipelines.Pipeline", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", help_text="Shadow: the live pitches judged.")
    candidate = models.ForeignKey("vicbot.Assistant", on_delete=models.PROTECT, related_name="+",
                                  help_text="The version under evaluation.")
    baseline = models.ForeignKey("vicbot.Assistant", on_delete=models.PROTECT, related_name="+",
                                 help_text="The version new runs used when the evaluation started.")
    trials = models.PositiveSmallIntegerField(default=1, help_text="Runs per pitch and version (k), for consistency.")
    flex = models.BooleanField(default=False, help_text="Ask OpenAI's flex tier (falls back to standard on 429).")
    spend_cap_usd = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True,
                                        help_text="Stop starting runs once this much is spent (blank: no cap).")
    spent_usd = models.DecimalField(max_digits=12, decimal_places=6, default=0, editable=False,
                                    help_text="Actual cost of its finished runs.")
    assessment_key = models.CharField(max_length=64, default="Assessment",
                                      help_text="The answer's field holding the verdict.")
    assessment_outcomes = models.JSONField(
        default=dict, blank=True,
        help_text="Verdict value → advance, pass, undecided or abstain: the pipeline's map, copied when it "
                  "started (a later edit of the pipeline does not change a finished evaluation's scores).")
    max_pitches = models.PositiveIntegerField(null=True, blank=True, help_text="Shadow: stop after this many pitches.")
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Shadow: stop at this time.")
    # Progress, counted as trials end (what the command and the console show while it runs).
    trials_total = models.PositiveIntegerField(default=0, editable=False)
    trials_done = models.PositiveIntegerField(default=0, editable=False, help_text="Ended with an answer.")
    trials_failed = models.PositiveIntegerField(default=0, editable=False, help_text="Ended without one.")
    tool_misses = models.PositiveIntegerField(default=0, editable=False)
    error = models.TextField(blank=True, editable=False)
    # Promotion (evaluations.services.promotion): the candidate's configuration saved as the version new runs use.
    promoted_version = models.ForeignKey(
        "vicbot.Assistant", null=True, blank=True, on_delete=models.PROTECT, related_name="promoted_by_evaluations",
        editable=False, help_text="The version this evaluation's promotion saved (new runs use it).")
    promoted_by = models.CharField(max_length=150, blank=True, editable=False)
    promoted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("promote_evaluation", "Can promote an evaluation's candidate version")]

    def __str__(self) -> str:
        return f"Evaluation {self.pk} ({self.kind}, {self.status})"


class EvaluationTrial(models.Model):
    """One run of one version on one pitch: (item or live pitch, trial index, version) → run, outcome, cost.

    Its status moves only through evaluations.states.TRIAL_STATES.
    """

    class Role(models.TextChoices):
        CANDIDATE = "candidate"
        BASELINE = "baseline"

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        DONE = "done", "answered"
        FAILED = "failed", "ended without an answer"
        SKIPPED = "skipped", "not run (cap reached or evaluation cancelled)"

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="trial_rows")
    item = models.ForeignKey("evaluations.DatasetItem", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="trials", help_text="Replay: the dataset item.")
    pitch = models.ForeignKey("pipelines.Pitch", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", help_text="Shadow: the live pitch (replay: the item's, if any).")
    live_run = models.ForeignKey("vicbot.Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 help_text="Shadow: the pipeline's real run beside which this one ran.")
    index = models.PositiveSmallIntegerField(default=0, help_text="Trial number for this pitch and version (0..k-1).")
    role = models.CharField(max_length=10, choices=Role.choices)
    assistant = models.ForeignKey("vicbot.Assistant", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, editable=False)
    run = models.ForeignKey("vicbot.Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assessment = models.CharField(max_length=255, blank=True, help_text="The answer's Assessment, as given.")
    outcome = models.CharField(max_length=10, blank=True,
                               help_text="The assessment mapped: advance, pass, undecided or abstain.")
    tool_calls = models.PositiveSmallIntegerField(default=0)
    tool_misses = models.PositiveSmallIntegerField(default=0, help_text="Calls the recording could not answer.")
    cost_usd = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["evaluation", "item", "pitch", "role", "index"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "item", "role", "index"], name="trial_unique_per_item",
                                    condition=models.Q(item__isnull=False)),
            models.UniqueConstraint(fields=["evaluation", "pitch", "role", "index"], name="trial_unique_per_pitch",
                                    condition=models.Q(item__isnull=True)),
        ]
        indexes = [models.Index(fields=["evaluation", "status"], name="trial_evaluation_status_idx")]

    def __str__(self) -> str:
        return f"{self.role} #{self.index} ({self.status})"
