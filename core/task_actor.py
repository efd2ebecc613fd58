"""A worker's moves are its task's: the task's name, and "tick" for what beat sent."""

from __future__ import annotations

from celery.signals import task_postrun, task_prerun

from core.actors import Actor, ActorKind, reset_actor, set_actor

_tokens: dict[str, object] = {}


@task_prerun.connect(weak=False)
def _enter_task(task_id=None, task=None, **kwargs) -> None:
    # django-celery-beat marks the messages it sends with the schedule's name.
    kind = ActorKind.TICK if getattr(task.request, "periodic_task_name", None) else ActorKind.TASK
    _tokens[task_id] = set_actor(Actor(kind, task.name[:150]))


@task_postrun.connect(weak=False)
def _leave_task(task_id=None, **kwargs) -> None:
    if (token := _tokens.pop(task_id, None)) is not None:
        try:
            reset_actor(token)
        except ValueError:  # set in another context (a thread pool's task): nothing to undo here
            pass
