"""Completion handlers for the tests, registered under keys like any app's.

`record_outcome` creates an auth Group named after the run and outcome: a unique
name, so a second call for the same run raises IntegrityError and the run's
completion_state shows it; the test can count calls in the database.
The worker imports this module through VICBOT_EXTRA_HANDLER_MODULES.
"""

from django.contrib.auth.models import Group

from vicbot.runs import register_completion_handler

RECORD_OUTCOME = "tests.record_outcome"
EXPLODE = "tests.explode"


@register_completion_handler(RECORD_OUTCOME)
def record_outcome(run, outcome):
    Group.objects.create(name=f"run-{run.pk}-{outcome}")


def calls_for(run_id: int) -> list[str]:
    return sorted(Group.objects.filter(name__startswith=f"run-{run_id}-").values_list("name", flat=True))


@register_completion_handler(EXPLODE)
def explode(run, outcome):
    raise RuntimeError("handler is broken")
