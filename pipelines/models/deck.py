from django.db import models


class Deck(models.Model):
    """One version of a record's deck (a Salesforce ContentVersion): downloaded once, uploaded to OpenAI
    once, and reused by every turn, retry and re-evaluation of the pitches that point at it.

    Its status moves only through pipelines.deck_states.DECK_STATES.
    """

    class Status(models.TextChoices):
        FOUND = "found", "found (to be read)"
        READING = "reading", "being read"
        READY = "ready", "ready for the model"
        UNUSABLE = "unusable", "unusable (the assessment goes on without it)"

    class SentAs(models.TextChoices):
        FILE = "file", "the file (pages as text and images)"
        CUT = "cut", "its first pages (cut to fit)"
        TEXT = "text", "its extracted text"

    content_version_id = models.CharField(max_length=18, unique=True)
    content_document_id = models.CharField(max_length=18)
    record_id = models.CharField(max_length=18, help_text="The record it was found linked to.")
    title = models.CharField(max_length=255, blank=True)
    file_type = models.CharField(max_length=40, blank=True)
    file_extension = models.CharField(max_length=40, blank=True)
    version_number = models.CharField(max_length=20, blank=True)
    size = models.PositiveBigIntegerField(default=0, help_text="Bytes, as Salesforce states it.")
    oversize = models.CharField(
        max_length=10, default="cut", help_text="Past OpenAI's limit: cut or text (the pipeline's setting when found).")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.FOUND, db_index=True)
    reason = models.TextField(blank=True, help_text="Why the model does not get it (unusable), or the last failed try.")
    tries = models.PositiveSmallIntegerField(default=0, help_text="Reads that failed for a passing reason.")
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_try_at = models.DateTimeField(null=True, blank=True)

    pages = models.PositiveIntegerField(null=True, blank=True, help_text="Pages (slides) in the file.")
    sent_pages = models.PositiveIntegerField(null=True, blank=True, help_text="Pages the model gets.")
    sent_as = models.CharField(max_length=10, choices=SentAs.choices, blank=True)
    model_note = models.TextField(blank=True, help_text="What the model is told about how the deck was cut or read.")
    text = models.TextField(blank=True, help_text="The extracted text, when it is sent as text.")
    openai_file_id = models.CharField(max_length=100, blank=True)
    openai_expires_at = models.DateTimeField(null=True, blank=True)
    uploaded_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    downloads = models.PositiveIntegerField(default=0, help_text="VersionData calls made for it.")
    uploads = models.PositiveIntegerField(default=0, help_text="OpenAI Files uploads made for it.")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title or self.content_version_id} (v{self.version_number})"
