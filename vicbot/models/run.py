from django.db import models


class RunStatus(models.TextChoices):
    PENDING = "pending"  # the next model turn is to be created
    WAITING_MODEL = "waiting_model"  # a background response is queued or in progress
    RUNNING_TOOLS = "running_tools"  # the model asked for tools; their tasks run
    FINISHING = "finishing"  # the final answer is being validated and stored
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"


TERMINAL_STATUSES = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.TIMED_OUT)
ACTIVE_STATUSES = (RunStatus.PENDING, RunStatus.WAITING_MODEL, RunStatus.RUNNING_TOOLS, RunStatus.FINISHING)


class CompletionState(models.TextChoices):
    NOT_DUE = "not_due"  # the run has not ended yet
    PENDING = "pending"  # ended; its handler is still to be called
    DONE = "done"
    FAILED = "failed"  # the handler raised; see completion_error (retry from the admin)


class Run(models.Model):
    """One assistant run: every model turn and tool call until a final answer.

    Its status only moves forward, by compare-and-set (vicbot.services.runs.state).
    """

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule"
        ADMIN = "admin"
        CODE = "code"

    assistant = models.ForeignKey("vicbot.Assistant", on_delete=models.PROTECT, related_name="runs")
    model = models.CharField(max_length=100, help_text="The model id this run used.")
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.PENDING, db_index=True)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.CODE)
    input = models.TextField()
    input_items = models.JSONField(
        default=list, blank=True,
        help_text="Content after the input text in the first turn's message, as sent (e.g. an input_file naming "
                  "an upload); later turns continue from it through previous_response_id.",
    )
    metadata = models.JSONField(default=dict, blank=True)
    tool_definitions = models.JSONField(
        default=list, blank=True, help_text="Tools as sent to OpenAI; frozen at the first turn so every turn is identical."
    )
    # What whoever started the run asked for; what it is offered is decided in the worker at its first
    # turn (vicbot/services/runs/offer.py): only the worker has every integration's settings.
    tools_requested = models.JSONField(
        null=True, blank=True, help_text="Tool names asked for at start (empty: the assistant version's own).",
    )
    tools_offered_at = models.DateTimeField(
        null=True, blank=True, help_text="When the worker froze the tools offered (none yet: before its first turn).",
    )
    completion_handler = models.CharField(
        max_length=200, blank=True, help_text="Key of the registered completion handler (never a module path)."
    )

    service_tier = models.CharField(
        max_length=10, blank=True,
        help_text="Tier asked of OpenAI for this run (e.g. flex for an evaluation); blank: the assistant's.")
    background = models.BooleanField(
        default=False, help_text="Background work (a pipeline's backlog): every step of the run is sent to the "
                                 "workers after every step of other runs (config.enqueue.Priority.BACKLOG).")
    flex_fell_back = models.BooleanField(
        default=False, help_text="Flex answered 429 (resource unavailable): the run's next turns ask the standard tier.")
    read_only = models.BooleanField(
        default=False, help_text="Never offered a tool that writes, whatever its assistant version allows (evaluations).")
    replay_calls = models.JSONField(
        null=True, blank=True,
        help_text="A replay: the recorded tool calls [{name, arguments, output}] that answer this run's calls; "
                  "no tool is run (nothing reaches Salesforce, PitchBook or the web). Null: a live run.")

    turn = models.PositiveSmallIntegerField(default=0, help_text="Model turns created so far.")
    response_id = models.CharField(max_length=100, blank=True, db_index=True, help_text="The turn in flight.")
    previous_response_id = models.CharField(max_length=100, blank=True, help_text="The turn the next continues.")
    response_ids = models.JSONField(default=list, blank=True, help_text="Every response created, in order.")
    create_claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="A create call was started and its outcome is not yet known."
    )
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Failed tries of the current turn.")
    poll_count = models.PositiveSmallIntegerField(default=0)
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    deadline_at = models.DateTimeField()

    output_text = models.TextField(blank=True)
    output_json = models.JSONField(null=True, blank=True)
    refusal = models.TextField(blank=True)
    error_code = models.CharField(max_length=100, blank=True)
    error_message = models.TextField(blank=True)
    first_error = models.TextField(blank=True, help_text="The run's first error, kept when later ones replace it.")
    error_systemic = models.BooleanField(
        default=False,
        help_text="The failure was about the setup (key, permission, model, quota, a request OpenAI rejects), "
        "not about this run: retrying other runs would fail the same way.",
    )

    input_tokens = models.PositiveIntegerField(default=0)
    cached_input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    reasoning_tokens = models.PositiveIntegerField(default=0)
    # Of the tokens above, those of responses that report service_tier "flex" (priced at the flex rate).
    flex_input_tokens = models.PositiveIntegerField(default=0)
    flex_cached_input_tokens = models.PositiveIntegerField(default=0)
    flex_output_tokens = models.PositiveIntegerField(default=0)
    turn_usage = models.JSONField(
        null=True, blank=True, default=list,
        help_text="Each response's own usage, in order: [{turn, response_id, input_tokens, cached_input_tokens, "
                  "output_tokens, reasoning_tokens, tier, created_at, ended_at}] (times in epoch seconds); "
                  "the token fields above are their sums. Null: a run from before it was recorded.")
    cost_usd = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    reserved_cost_usd = models.DecimalField(
        max_digits=12, decimal_places=6, null=True, blank=True,
        help_text="What it was expected to cost when it started (recent runs of its assistant version): "
                  "counted against a spend cap while it runs, as its actual cost is known only when it ends.",
    )
    tool_systemic_error = models.TextField(
        blank=True, help_text="A tool's failure about the setup (e.g. PitchBook credits exhausted), recorded at the end."
    )
    tool_usage = models.JSONField(
        default=dict, blank=True, help_text="Metered units its tools spent, summed when it ended (PitchBook credits)."
    )
    tool_usage_unknown = models.BooleanField(
        default=False,
        help_text="Some of its tool calls' usage cannot be told (recorded before each call had its own): "
                  "tool_usage counts only the calls whose spend is known, so it is a lower bound.",
    )

    completion_state = models.CharField(
        max_length=10, choices=CompletionState.choices, default=CompletionState.NOT_DUE, db_index=True
    )
    completion_error = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_check_at"], name="run_due_idx"),
            # Admission asks, whenever a slot frees, for a model's runs in flight and its recent
            # finished runs (vicbot.services.capacity): without it both scanned every run ever made
            # (`benchmark --pitches 1000` on a database of 18,000 runs: 160 s without, 102 s with it).
            models.Index(fields=["model", "status", "finished_at"], name="run_model_idx"),
            # Every start reads its assistant version's latest priced runs (its cost reservation); only
            # priced runs, so a setup with no price finds none at once instead of scanning every run.
            models.Index(fields=["assistant", "-finished_at"], name="run_assistant_priced_idx",
                         condition=models.Q(cost_usd__isnull=False)),
        ]
        # The admin's actions on runs, each granted on its own (view alone changes nothing).
        permissions = [
            ("cancel_run", "Can cancel runs"),
            ("rerun_run", "Can re-run runs"),
            ("retry_run_completion", "Can retry a run's completion handler"),
            # The console's own pages and exports (not one run's page): see console/ and RunExport.
            ("view_dashboard", "Can view the dashboard"),
            ("view_attention", "Can view the needs-attention list"),
            ("export_run", "Can export runs (each export is recorded)"),
        ]

    def __str__(self) -> str:
        return f"Run {self.pk} ({self.assistant.name}, {self.status})"

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
