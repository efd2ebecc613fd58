"""The transition log: one row per move of any declared state table (core.state_machine).

Written in the same transaction as the move, so it is never ahead of or behind the row it
describes. A pitch's attempt log, a run's and a pipeline's history, and who did what
(an operator's cancel, a task, the beat tick) are read from it.
"""

from django.conf import settings
from django.db import models

from core.actors import ActorKind


class Transition(models.Model):
    model = models.CharField(max_length=60, help_text="The object's model label, e.g. vicbot.run.")
    object_pk = models.BigIntegerField()
    field = models.CharField(max_length=40)
    operation = models.CharField(max_length=40)
    from_state = models.CharField(max_length=40)
    to_state = models.CharField(max_length=40)
    at = models.DateTimeField()
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    actor_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    actor_label = models.CharField(max_length=150, blank=True, help_text="Task name, user name or command.")
    note = models.CharField(max_length=500, blank=True,
                            help_text="Why, when the move says (a reason, a code).")

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["model", "object_pk", "at"], name="core_transition_object")]

    def __str__(self) -> str:
        return f"{self.model} {self.object_pk}: {self.operation} {self.from_state} -> {self.to_state}"

    @property
    def actor(self) -> str:
        kind = self.get_actor_kind_display()
        return f"{kind}: {self.actor_label}" if self.actor_label else kind
