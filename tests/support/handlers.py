"""Completion handlers for the tests.

`record_outcome` creates an auth Group named after the run and outcome: a unique
name, so a second call for the same run raises IntegrityError and the run's
completion_state shows it; the test can count calls in the database.
"""

from django.contrib.auth.models import Group


def record_outcome(run, outcome):
    Group.objects.create(name=f"run-{run.pk}-{outcome}")


def calls_for(run_id: int) -> list[str]:
    return sorted(Group.objects.filter(name__startswith=f"run-{run_id}-").values_list("name", flat=True))


def explode(run, outcome):
    raise RuntimeError("handler is broken")
