from django.db import models

DEFAULT_FIELDS = ["Name", "Website", "Description", "Industry"]
DEFAULT_ANSWER_MAPPING = {"Assessment": "VicBot_Assessment__c", "Reasoning": "VicBot_Reasoning__c"}
DEFAULT_PROMPT_TEMPLATE = (
    "Evaluate this pitch from our Salesforce {sobject} record {record_id}.\n\n{record}\n"
)


class Pipeline(models.Model):
    """Which Salesforce records are pitches, how they reach an assistant, where the answer goes."""

    class State(models.TextChoices):
        """Moves only through pipelines.states.PIPELINE_STATES."""

        RUNNING = "running"
        PAUSED = "paused", "paused (a systemic failure)"
        PROBING = "probing", "probing (one run tests the way)"
        PAUSED_FOR_SPEND = "paused_for_spend", "paused (daily spend cap)"
        DISABLED = "disabled"

    name = models.SlugField(max_length=64, unique=True)
    enabled = models.BooleanField(
        default=True,
        help_text="Off: no intake, no run starts (the pipeline moves to disabled; on: to running).")
    state = models.CharField(max_length=20, choices=State.choices, default=State.RUNNING, editable=False)
    sobject = models.CharField(max_length=80, default="Account", help_text="sObject API name, e.g. Account.")
    selection = models.TextField(
        default="VicBot_Assessment__c = null",
        help_text="SOQL condition selecting records to evaluate (written by an operator, sent as is).",
    )
    fields = models.JSONField(default=list, help_text="Fields sent to the model, in order.")
    website_field = models.CharField(
        max_length=80, blank=True, default="Website",
        help_text="The record's website field: the one site web_scrape may read without having seen a "
                  "link to it (besides URLs found in pages read and PitchBook's answers). Always read, "
                  "and sent to the model after the fields. Blank: no own site.",
    )
    assistant_name = models.SlugField(max_length=64, default="vicbot")
    prompt_template = models.TextField(
        default=DEFAULT_PROMPT_TEMPLATE,
        help_text="Placeholders: {record} (the fields, one per line), {sobject}, {record_id}.",
    )
    answer_mapping = models.JSONField(default=dict, help_text="Answer key → Salesforce field.")
    field_max_chars = models.PositiveIntegerField(
        default=4000, help_text="Each field is cut to this many characters, with a marker, before the model sees it."
    )
    batch_size = models.PositiveIntegerField(default=500, help_text="Records per query page (200-2000).")
    max_in_flight = models.PositiveIntegerField(
        null=True, blank=True, default=None,
        help_text="Most runs evaluating at once; the rest wait. Blank: automatic, as many as OpenAI's rate limits "
                  "for the assistant's model allow (shared with every other pipeline on that model). "
                  "A number is a cap on top of that.",
    )
    backlog_older_than_days = models.PositiveIntegerField(
        null=True, blank=True, default=None,
        help_text="Records last modified longer ago than this are a backlog: they start only after every newer "
                  "pitch waiting, never into the last tenth of the in-flight limit, and the workers take every "
                  "step of their runs after other runs' steps, so new pitches keep their usual time while a backlog "
                  "runs. Blank: every pitch alike, oldest first.",
    )

    class BacklogTier(models.TextChoices):
        STANDARD = "standard", "standard (the assistant's own tier)"
        FLEX = "flex", "flex (about half price, slower; standard when flex has no capacity)"

    backlog_service_tier = models.CharField(
        max_length=10, choices=BacklogTier.choices, default=BacklogTier.STANDARD,
        help_text="OpenAI service tier for the backlog's runs (see backlog older than days). Flex costs about half "
                  "and answers more slowly; a turn flex has no capacity for (429 resource unavailable) is sent at "
                  "the standard tier, and each response is priced at the tier OpenAI reports. New pitches always "
                  "use the assistant's own tier.",
    )
    max_attempts = models.PositiveSmallIntegerField(
        default=3, help_text="Runs a pitch gets when they end for a reason worth another try, before it fails."
    )
    reevaluate_written = models.BooleanField(
        default=True,
        help_text="Evaluate a record again when the fields sent to the model change after its answer was written "
        "(only while the condition still selects it).",
    )
    status_field = models.CharField(
        max_length=80, blank=True,
        help_text="Optional Salesforce field that says whether Vicbot assessed the record, or why it could not.",
    )
    daily_spend_cap_usd = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True,
        help_text="OpenAI spend per UTC day after which the pipeline pauses until the next day. Runs in "
                  "flight count with their expected cost (recent runs), so it is passed by one run at most; "
                  "evaluating again or re-running past it needs its own permission and a confirmation.",
    )    # The deck: which of the record's Salesforce Files the model reads (pipelines.services.decks).
    deck_file_types = models.CharField(
        max_length=200, blank=True, default="PDF",
        help_text="Salesforce FileType values a deck may have, comma-separated, preferred first (e.g. "
                  "\"PDF, POWER_POINT_X\"). Empty: read no deck.",
    )
    deck_title_pattern = models.CharField(
        max_length=200, blank=True,
        help_text="A regular expression the file's title must match (case-insensitive), e.g. \"deck|pitch\". "
                  "Empty: any title. Among the files left, the newest version is the deck.",
    )
    deck_oversize = models.CharField(
        max_length=10, default="cut", choices=[("cut", "send the first pages that fit"),
                                               ("text", "send the extracted text")],
        help_text="A PDF past OpenAI's per-request page or size limit: cut to its first pages that fit, with "
                  "a note the model reads, or sent as its extracted text.",
    )

    # The partners' decisions (the evaluation lab's answer key): read by intake, never sent to the model.
    decision_field = models.CharField(
        max_length=80, blank=True,
        help_text="Salesforce field holding the partners' decision (a picklist such as a stage). Read by intake "
                  "beside the pitch's fields, never sent to the model; a change of it is recorded as a decision, "
                  "not an edit. Blank: decisions are not recorded.",
    )
    decision_outcomes = models.JSONField(
        default=dict, blank=True,
        help_text='Decision field value → "advance", "pass" or "undecided" (values not listed: undecided), '
                  'e.g. {"Meeting": "advance", "Invested": "advance", "Passed": "pass"}.',
    )
    assessment_outcomes = models.JSONField(
        default=dict, blank=True,
        help_text='The assistant\'s Assessment value → "advance", "pass", "undecided" or "abstain" (left out of '
                  'agreement), e.g. {"Strong": "advance", "Weak": "pass", "Insufficient information": "abstain"}. '
                  "Values not listed: undecided.",
    )
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    pause_reason = models.TextField(blank=True, editable=False)
    probe_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="While paused: when one run may start to test the way."
    )
    pause_probes = models.PositiveSmallIntegerField(default=0, editable=False)
    pause_pitch = models.ForeignKey(
        "pipelines.Pitch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
        help_text="The pitch whose run paused the pipeline last: the next probe takes another one if any waits.",
    )
    probe_run = models.ForeignKey("vicbot.Run", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", editable=False)
    schedule = models.OneToOneField(
        "django_celery_beat.PeriodicTask", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    watermark = models.DateTimeField(null=True, blank=True, help_text="Newest SystemModstamp seen.")
    deck_watermark = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="Newest deck version (ContentVersion.CreatedDate) looked at: a new version does not touch "
                  "its record, so intake looks for new versions on their own.",
    )
    intake_lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    api_usage = models.CharField(max_length=40, blank=True, editable=False, help_text="Latest Sforce-Limit-Info.")
    salesforce_calls = models.PositiveBigIntegerField(
        default=0, editable=False, help_text="Salesforce API calls made by this pipeline's intake and write-back."
    )
    last_intake_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_intake_summary = models.CharField(max_length=255, blank=True, editable=False)
    last_intake_error = models.TextField(blank=True, editable=False)
    last_intake_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    intake_failures_in_a_row = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]
        permissions = [("pull_pipeline", "Can pull a pipeline's pitches now")]

    def __str__(self) -> str:
        return self.name
