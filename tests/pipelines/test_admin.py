"""The pipeline in the operator's console."""

import pytest
from django.contrib.auth.models import User

from pipelines.models import Pipeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    client.force_login(User.objects.create_superuser("op", "op@example.com", "pw"))
    return client


def test_the_pipeline_and_pitch_list_pages_render(operator):
    for page in ("pipeline", "pitch"):
        assert operator.get(f"/admin/pipelines/{page}/", secure=True).status_code == 200, page


def test_a_pipeline_with_an_injected_field_name_is_refused(operator):
    data = {"name": "evil", "enabled": "on", "sobject": "Account", "selection": "Name != null",
            "fields": '["Name", "Id FROM User --"]', "assistant_name": "vicbot", "prompt_template": "{record}",
            "answer_mapping": '{"Assessment": "VicBot_Assessment__c"}', "field_max_chars": 4000,
            "batch_size": 500, "max_in_flight": 10}

    response = operator.post("/admin/pipelines/pipeline/add/", data, secure=True)

    assert response.status_code == 200
    assert "Not Salesforce API names" in response.content.decode()
    assert not Pipeline.objects.filter(name="evil").exists()
