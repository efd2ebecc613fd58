"""A worker's moves are its task's: the task's name, and "tick" for what beat sent.

A task sent on a user's behalf (an admin action that queues the work) acts as that user, "via"
the task: the message carries the user in a header. Only that one task: what it sends in turn
is the engine's own work.
"""

from __future__ import annotations

from celery.signals import before_task_publish, task_postrun, task_prerun

from core.actors import Actor, ActorKind, current_actor, reset_actor, set_actor

HEADER = "acting_user"
_tokens: dict[str, object] = {}


@before_task_publish.connect(weak=False)
def _carry_the_user(headers=None, **kwargs) -> None:
    actor = current_actor()
    if headers is not None and actor.kind == ActorKind.USER and not actor.via:
        headers[HEADER] = [actor.user_id, actor.label]


@task_prerun.connect(weak=False)
def _enter_task(task_id=None, task=None, **kwargs) -> None:
    if user := getattr(task.request, HEADER, None):
        actor = Actor(ActorKind.USER, str(user[1])[:150], user[0], via=task.name)
    elif getattr(task.request, "periodic_task_name", None):  # django-celery-beat names its messages so
        actor = Actor(ActorKind.TICK, task.name[:150])
    else:
        actor = Actor(ActorKind.TASK, task.name[:150])
    _tokens[task_id] = set_actor(actor)


@task_postrun.connect(weak=False)
def _leave_task(task_id=None, **kwargs) -> None:
    if (token := _tokens.pop(task_id, None)) is not None:
        try:
            reset_actor(token)
        except ValueError:  # set in another context (a thread pool's task): nothing to undo here
            pass
