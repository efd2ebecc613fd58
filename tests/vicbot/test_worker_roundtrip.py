import pytest

from vicbot.tasks import worker_heartbeat_task
from tests.conftest import wait_for
from vicbot.models import WorkerHeartbeat

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_task_travels_through_the_broker_to_a_separate_worker_and_writes_the_database(celery_worker):
    worker_heartbeat_task.delay()

    heartbeat = wait_for(lambda: WorkerHeartbeat.objects.first(), message="the worker's heartbeat row")
    assert heartbeat.hostname.startswith("test-")
