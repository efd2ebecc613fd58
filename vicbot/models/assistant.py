from django.conf import settings
from django.db import models


class AssistantQuerySet(models.QuerySet):
    def current(self, name: str) -> "Assistant":
        """The newest version of the assistant called `name`."""
        newest = self.filter(name=name).order_by("-version").first()
        if newest is None:
            raise self.model.DoesNotExist(f"No assistant is named {name!r}")
        return newest


class Assistant(models.Model):
    """One immutable version of an assistant's configuration.

    OpenAI no longer stores assistants (Assistants API and prompt objects are gone),
    so instructions, model, tools and answer schema are ours, versioned here: an
    edit saves a new version and every run pins the version it used.
    """

    class ReasoningEffort(models.TextChoices):
        DEFAULT = "", "model default"
        NONE = "none"
        MINIMAL = "minimal"
        LOW = "low"
        MEDIUM = "medium"
        HIGH = "high"
        XHIGH = "xhigh"

    class ServiceTier(models.TextChoices):
        AUTO = "auto"
        DEFAULT = "default"
        FLEX = "flex", "flex (about half price, slower)"
        PRIORITY = "priority"

    name = models.SlugField(max_length=64)
    version = models.PositiveIntegerField(default=1, editable=False)
    model = models.CharField(
        max_length=100, blank=True, help_text="Blank: the OPENAI_MODEL environment variable at run time."
    )
    instructions = models.TextField()
    tool_names = models.JSONField(default=list, blank=True, help_text="Names from the tool registry.")
    output_schema_name = models.CharField(max_length=64, default="answer")
    output_schema = models.JSONField(help_text="Strict JSON schema of the final answer.")
    reasoning_effort = models.CharField(max_length=10, choices=ReasoningEffort.choices, blank=True)
    service_tier = models.CharField(max_length=10, choices=ServiceTier.choices, default=ServiceTier.AUTO)
    max_output_tokens = models.PositiveIntegerField(null=True, blank=True)
    max_turns = models.PositiveSmallIntegerField(default=8, help_text="Model turns before a run is stopped.")
    run_deadline_seconds = models.PositiveIntegerField(default=1800)
    # Tool policies (against text in a pitch or on a website that tries to instruct the model).
    write_tools = models.BooleanField(
        default=False,
        help_text="Offer tools that write to Salesforce (they create a new Contact on the pitch's own Account; "
                  "anything else they would write waits as a suggested change for an operator to approve).",
    )
    open_browsing = models.BooleanField(
        default=False,
        help_text="Let web_scrape fetch any public URL, not only the pitch's own site and URLs the run has seen.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssistantQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="assistant_name_version_unique")]
        ordering = ["name", "-version"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def effective_model(self) -> str:
        return self.model or settings.OPENAI_MODEL
