"""Assistant versions: a diff of any two, the newest marked, tools as checkboxes, roll back as a new version."""

import json

import pytest

from tests.console.support import staff_user
from tests.support.runs import VERDICT_SCHEMA, make_assistant
from vicbot.models import Assistant

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions():
    first = make_assistant(instructions="Assess the pitch.\nBe brief.")
    second = make_assistant(instructions="Assess the pitch.\nBe thorough. <script>x()</script>", version=2,
                            tool_names=["test_lookup", "web_scrape"], max_turns=6)
    return first, second


def test_the_diff_shows_changed_fields_line_by_line_escaped(client, versions):
    first, second = versions
    client.force_login(staff_user("vicbot.view_assistant"))

    html = client.get(f"/admin/console/assistants/diff/?a={second.pk}&b={first.pk}", secure=True).content.decode()

    assert '<div class="del">-Be brief.</div>' in html
    assert '<div class="add">+Be thorough. &lt;script&gt;x()&lt;/script&gt;</div>' in html
    assert '<div class="add">+  &quot;web_scrape&quot;</div>' in html
    assert "Max turns" in html and "-4" in html and "+6" in html
    assert "Output schema" not in html  # unchanged fields are not listed
    assert "v2 is the newest: new runs use it" in html


def test_the_diff_needs_staff_and_view_permission(client, versions):
    first, second = versions
    url = f"/admin/console/assistants/diff/?a={first.pk}&b={second.pk}"
    assert client.get(url, secure=True)["Location"].startswith("/admin/login/")
    client.force_login(staff_user())
    assert client.get(url, secure=True).status_code == 403


def test_the_newest_version_is_marked_in_the_list_and_on_each_page(client, versions):
    first, second = versions
    client.force_login(staff_user("vicbot.view_assistant"))

    listing = client.get("/admin/vicbot/assistant/?name=tester", secure=True).content.decode()
    old_page = client.get(f"/admin/vicbot/assistant/{first.pk}/change/", secure=True).content.decode()
    new_page = client.get(f"/admin/vicbot/assistant/{second.pk}/change/", secure=True).content.decode()

    assert "New runs use it" in listing and listing.count('alt="True"') == 1 and listing.count('alt="False"') == 1
    assert "This is an old version (v1). New runs use" in old_page and "Compare with the newest" in old_page
    assert "v2 is the newest version: new runs use it" in new_page and "Compare with the previous version" in new_page


def test_tools_are_checkboxes_from_the_registry_and_saving_them_makes_a_new_version(client, versions):
    _, second = versions
    client.force_login(staff_user("vicbot.view_assistant", "vicbot.change_assistant"))
    page = client.get(f"/admin/vicbot/assistant/{second.pk}/change/", secure=True).content.decode()
    assert 'type="checkbox" name="tool_names" value="web_scrape"' in page
    assert 'type="checkbox" name="tool_names" value="test_lookup"' in page  # an extra tool the tests register
    assert '"tool_names": ' not in page  # no raw JSON text area

    form = {"name": "tester", "model": "", "instructions": "New.", "tool_names": ["test_lookup", "web_scrape"],
            "output_schema_name": "verdict", "output_schema": json.dumps(VERDICT_SCHEMA), "reasoning_effort": "",
            "service_tier": "auto", "max_turns": 4, "run_deadline_seconds": 60}
    response = client.post(f"/admin/vicbot/assistant/{second.pk}/change/", form, secure=True)

    assert response.status_code == 302
    assert Assistant.objects.current("tester").tool_names == ["test_lookup", "web_scrape"]
    assert Assistant.objects.current("tester").version == 3


def test_rolling_back_saves_the_old_version_as_the_newest_and_needs_the_change_permission(client, versions):
    first, _ = versions
    client.force_login(staff_user("vicbot.view_assistant"))
    assert client.post(f"/admin/console/assistants/{first.pk}/restore/", secure=True).status_code == 403

    client.force_login(staff_user("vicbot.view_assistant", "vicbot.change_assistant"))
    response = client.post(f"/admin/console/assistants/{first.pk}/restore/", secure=True)

    newest = Assistant.objects.current("tester")
    assert response.status_code == 302 and response["Location"] == f"/admin/vicbot/assistant/{newest.pk}/change/"
    assert (newest.version, newest.instructions, newest.tool_names) == (3, first.instructions, first.tool_names)
    assert Assistant.objects.filter(name="tester").count() == 3


def assistant_post(**changes) -> dict:
    form = {"name": "tester", "model": "gpt-5.4-mini", "instructions": "New.", "tool_names": ["test_lookup", "web_scrape"],
            "output_schema_name": "verdict", "output_schema": json.dumps(VERDICT_SCHEMA), "reasoning_effort": "",
            "service_tier": "auto", "max_turns": 4, "run_deadline_seconds": 60}
    return {**form, **changes}


def test_saving_twice_without_change_shows_no_diff_whatever_order_the_tools_came_in(client, engine_settings,
                                                                                     openai_emu):
    from console.assistants import version_diff

    # Stored by a script in another order than the registry's.
    make_assistant(model="gpt-5.4-mini", instructions="New.", tool_names=["web_scrape", "test_lookup"])
    client.force_login(staff_user("vicbot.view_assistant", "vicbot.change_assistant"))
    url = f"/admin/vicbot/assistant/{Assistant.objects.current('tester').pk}/change/"

    # The raw JSON list a script would post, in yet another order; then the checkboxes as a browser sends them.
    assert client.post(url, assistant_post(tool_names='["web_scrape", "test_lookup", "web_scrape"]'),
                       secure=True).status_code == 302
    second = Assistant.objects.current("tester")
    assert second.tool_names == ["test_lookup", "web_scrape"]  # the registry's order, each once
    assert client.post(f"/admin/vicbot/assistant/{second.pk}/change/", assistant_post(),
                       secure=True).status_code == 302
    third = Assistant.objects.current("tester")

    assert third.version == second.version + 1
    assert version_diff(second, third) == []


def test_a_model_with_a_published_shutdown_date_is_saved_with_a_warning(client, engine_settings, openai_emu,
                                                                        openai_emulator):
    openai_emulator.models = [*openai_emulator.models, "gpt-4o-2024-08-06"]  # the emulator lists no dates
    client.force_login(staff_user("vicbot.view_assistant", "vicbot.add_assistant", "vicbot.change_assistant"))

    response = client.post("/admin/vicbot/assistant/add/", assistant_post(model="gpt-4o-2024-08-06"), secure=True,
                           follow=True)

    assert Assistant.objects.filter(name="tester", model="gpt-4o-2024-08-06").exists()
    [warning] = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert warning.startswith("OpenAI shuts the model 'gpt-4o-2024-08-06' down on 2027-01-14, in ")
    assert "developers.openai.com/api/docs/deprecations" in warning
