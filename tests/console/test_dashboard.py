"""The dashboard's figures come from the runs, pipelines and heartbeats in the database."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from console.dashboard import dashboard_context
from pipelines.models import Pipeline, Pitch
from pipelines.services.pipelines import pipeline_schedule
from tests.console.support import finished_run, staff_user
from vicbot.models import Run, RunStatus, WorkerHeartbeat

pytestmark = pytest.mark.django_db
URL = "/admin/console/"


def ended(days_ago: int, *, seconds: float, cost: str, credits: int, status=RunStatus.SUCCEEDED, code=""):
    run = finished_run(status=status, error_code=code)
    end = timezone.now() - timedelta(days=days_ago)
    Run.objects.filter(pk=run.pk).update(started_at=end - timedelta(seconds=seconds), finished_at=end,
                                         cost_usd=Decimal(cost), tool_usage={"pitchbook_credits": credits})
    return run


def test_it_counts_evaluations_cost_and_credits_per_day_and_run_times():
    for secs in (10, 20, 30, 40):
        ended(0, seconds=secs, cost="0.01", credits=4)
    ended(3, seconds=100, cost="0.50", credits=6)
    ended(3, seconds=5, cost="0.02", credits=0, status=RunStatus.FAILED, code="rate_limited")
    ended(40, seconds=999, cost="9", credits=99)  # outside the 30 days

    context = dashboard_context()

    today, three_days_ago = context["days"][-1], context["days"][-4]
    assert (today["evaluations"], today["cost"], today["credits"]) == (4, Decimal("0.04"), 16)
    assert (three_days_ago["evaluations"], three_days_ago["ended"], three_days_ago["credits"]) == (1, 2, 6)
    assert context["totals_30d"]["evaluations"] == 5 and context["totals_30d"]["credits"] == 22
    assert context["times"] == {"count": 6, "median": "25.0 s", "p95": "1 min 40 s"}
    # Failed tool calls count too (each finished_run has a web_scrape that timed out; the 40-day-old one is out).
    assert [(f["reason"], f["count"]) for f in context["failures"]] == [("rate_limited", 1),
                                                                        ("tool failed: web_scrape", 6)]
    assert context["evaluations_chart"].count("<rect") == 30


def test_it_shows_pipeline_state_workers_api_use_and_spend_against_the_cap(client):
    now = timezone.now()
    paused = Pipeline.objects.create(name="paused-one", fields=["Name"], answer_mapping={}, api_usage="1234/15000",
                                     daily_spend_cap_usd=Decimal("5.00"), paused_at=now, state="paused",
                                     pause_reason="OpenAI says the key is invalid", probe_at=now + timedelta(minutes=2),
                                     last_intake_at=now - timedelta(minutes=9), last_intake_summary="3 new, 1 changed",
                                     last_intake_error="INVALID_SESSION_ID: Session expired",
                                     last_intake_error_at=now - timedelta(minutes=1))
    pipeline_schedule(pipeline=paused, every_seconds=600)
    Pitch.objects.create(pipeline=paused, salesforce_id="001A", status=Pitch.Status.NEW)
    Pitch.objects.create(pipeline=paused, salesforce_id="001B", status=Pitch.Status.RETRY_WAITING,
                         next_attempt_at=now)
    Pitch.objects.create(pipeline=paused, salesforce_id="001C", status=Pitch.Status.WRITTEN_BACK)
    WorkerHeartbeat.objects.create(hostname="celery@alive", last_seen_at=now - timedelta(seconds=10))
    WorkerHeartbeat.objects.create(hostname="celery@gone", last_seen_at=now - timedelta(hours=2))
    client.force_login(staff_user("vicbot.view_dashboard"))

    html = client.get(URL, secure=True).content.decode()

    assert "OpenAI says the key is invalid" in html and "INVALID_SESSION_ID: Session expired" in html
    assert "3 new, 1 changed" in html and "1,234 / 15,000 (8.2%)" in html
    assert "<td class=\"num\">2</td>" in html  # the new and the retry-waiting pitch wait; the written one does not
    assert "due now" in html and "$0.00 / $5.00" in html and "daily caps: paused-one $5.00" in html
    assert "celery@alive" in html and ">alive<" in html and ">silent<" in html
    assert "No live worker" not in html
    assert html.count('<svg class="console-chart"') == 3


def test_no_live_worker_is_said_plainly(client):
    client.force_login(staff_user("vicbot.view_dashboard"))
    assert "No live worker" in client.get(URL, secure=True).content.decode()


def test_the_admin_index_links_to_the_dashboard_for_staff_with_its_permission_only(client):
    assert client.get(URL, secure=True)["Location"].startswith("/admin/login/")
    client.force_login(User.objects.create_user("clerk", password="pw"))
    assert client.get(URL, secure=True)["Location"].startswith("/admin/login/")
    client.force_login(staff_user("vicbot.view_run"))  # staff, but not allowed the dashboard
    assert client.get(URL, secure=True).status_code == 403
    assert 'href="/admin/console/"' not in client.get("/admin/", secure=True).content.decode()
    client.force_login(staff_user("vicbot.view_dashboard"))
    assert client.get(URL, secure=True).status_code == 200
    assert 'href="/admin/console/"' in client.get("/admin/", secure=True).content.decode()
    assert client.post(URL, secure=True).status_code == 405
