"""A backlog never starves new pitches: which waiting pitches are backlog, and how many of them may start.

A pipeline with "backlog older than days" set treats a waiting pitch whose record was last modified longer
ago than that as backlog (a first pass over an org with thousands of unassessed records, a bulk import):
admission starts every other due pitch first, and starts backlog only into the room left after keeping
BACKLOG_RESERVE of the pipeline's in-flight limit free, so a new pitch finds a slot at once however
long the backlog. The backlog still moves at nine tenths of the pipeline's pace.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.db.models import QuerySet

from pipelines.models import Pipeline, Pitch

BACKLOG_RESERVE = 0.1  # of the in-flight limit, kept free of backlog for new pitches (at least one slot)
# Of VICBOT_ADMIT_MAX_BACKLOG: the backlog starts runs only while the broker's queue is shorter than this share,
# so a busy worker's queue stays short and a new pitch's steps do not wait behind the backlog's.
BACKLOG_QUEUE_SHARE = 0.25


def backlog_service_tier(pipeline: Pipeline) -> str:
    """The service tier a backlog run asks of OpenAI ("": the assistant's own)."""
    return "flex" if pipeline.backlog_service_tier == Pipeline.BacklogTier.FLEX else ""


def backlog_cutoff(pipeline: Pipeline, now: datetime) -> datetime | None:
    """Records last modified before this are backlog (None: the pipeline has no backlog setting)."""
    if pipeline.backlog_older_than_days is None:
        return None
    return now - timedelta(days=pipeline.backlog_older_than_days)


def split_backlog(due: QuerySet[Pitch], cutoff: datetime | None) -> tuple[QuerySet[Pitch], QuerySet[Pitch]]:
    """(new pitches, backlog), each oldest record first."""
    order = ("system_modstamp", "pk")
    if cutoff is None:
        return due.order_by(*order), due.none()
    return (due.exclude(system_modstamp__lt=cutoff).order_by(*order),
            due.filter(system_modstamp__lt=cutoff).order_by(*order))


def backlog_room(*, room: int, free_slots: int, limit: int | None, queued: int | None = None,
                 max_queued: int | None = None) -> int:
    """How many backlog pitches may start: what `room` allows, less the reserve kept free for new pitches
    (`free_slots`: the pipeline's in-flight room now; `limit`: its in-flight limit), and no more than the
    broker's queue has room for at the backlog's share (`queued` messages of at most `max_queued`)."""
    if queued is not None and max_queued is not None:
        room = min(room, max(math.ceil(BACKLOG_QUEUE_SHARE * max_queued) - queued, 0))
    # A limit of one keeps nothing back: new pitches still come first, and the backlog must move at all.
    reserve = min(max(1, math.ceil(BACKLOG_RESERVE * limit)), limit - 1) if limit else 1
    return max(min(room, free_slots - reserve), 0)
