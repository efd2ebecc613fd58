"""The suggested change's status table, walked against real rows."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.support.runs import make_assistant
from tests.support.state_walk import walk
from vicbot.models import Run, SuggestedChange
from vicbot.services.suggested_changes import SUGGESTION_STATES

pytestmark = pytest.mark.django_db


@pytest.fixture
def run():
    return Run.objects.create(assistant=make_assistant(), model="gpt-5.4-mini", input="x", deadline_at=timezone.now())


def test_every_move_of_the_suggestion_table_is_made_and_every_other_is_refused(run):
    def change_in(state):
        decided = None if state == SuggestedChange.Status.PENDING else timezone.now()
        return SuggestedChange.objects.create(run=run, sobject="Contact", fields={"Title": "CTO"}, status=state,
                                              decided_at=decided)

    assert walk(SUGGESTION_STATES, change_in, fields={op: {"decided_at": timezone.now()}
                                                      for op in SUGGESTION_STATES.moves}) == []


def test_no_change_is_decided_without_a_time(run):
    change = SuggestedChange.objects.create(run=run, sobject="Contact", fields={"Title": "CTO"})

    with pytest.raises(IntegrityError), transaction.atomic():
        SUGGESTION_STATES.apply(change.pk, "reject", decision_note="no")
