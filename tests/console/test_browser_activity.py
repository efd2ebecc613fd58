"""In a real browser: an operator's action is recorded and found again on the activity page (issue 18 point 7)."""

from __future__ import annotations

from django.utils import timezone

from pipelines.models import Pipeline
from tests.console.test_browser import browser, page_as, pytestmark, superuser  # noqa: F401 - fixtures, marks


def test_resume_now_is_recorded_and_the_activity_page_links_back_to_the_pipeline(page_as, live_server,  # noqa: F811
                                                                                  settings):
    # The page is served over http while the request says https (as behind Heroku's router): the
    # form's Origin is the live server's own.
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    pipeline = Pipeline.objects.create(name="eu-pitches", fields=["Name"], answer_mapping={},
                                       paused_at=timezone.now(), state="paused", pause_reason="quota")
    operator = superuser()
    page = page_as(operator)
    page.goto(f"{live_server.url}/admin/pipelines/pipeline/{pipeline.pk}/change/")
    page.click("button:has-text('Resume now')")
    page.wait_for_selector("text=Resumed 1 of 1 pipelines")

    page.goto(f"{live_server.url}/admin/")
    page.click("text=Activity")
    rows = page.locator("#activity tbody tr")
    assert rows.count() == 2  # the action, and the state move the request made as the user
    text = page.locator("#activity").inner_text()
    assert "Resume now" in text and "resume: paused → running" in text and operator.username in text
    rows.first.locator("a").click()
    assert page.url.endswith(f"/admin/pipelines/pipeline/{pipeline.pk}/change/")
    assert "Resumed 1 of 1 pipelines" in page.locator("#operator-actions").inner_text()
    assert page.js_errors == [] and page.bad_responses == []
