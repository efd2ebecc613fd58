"""Reading the transition log: what happened to an object (and the objects it owns), oldest first."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models import Q

from core.models import Transition


def history(model: type[models.Model], pks: Iterable,
            *also: tuple[type[models.Model], Iterable]) -> list[Transition]:
    """The transitions of `model` rows `pks`, and of each (model, pks) in `also` (a run's tool calls)."""
    condition = Q(pk__in=[])
    for each_model, each_pks in ((model, pks), *also):
        if each_pks := list(each_pks):
            condition |= Q(model=each_model._meta.label_lower, object_pk__in=each_pks)
    return list(Transition.objects.filter(condition).order_by("at", "pk"))


def history_rows(transitions: Iterable[Transition]) -> list[dict]:
    """As a console table shows them: when, what, from → to, who, why."""
    return [{"at": t.at, "object": f"{t.model.split('.')[-1]} {t.object_pk}", "field": t.field,
             "operation": t.operation, "from": t.from_state, "to": t.to_state, "actor": t.actor,
             "note": t.note}
            for t in transitions]
