"""Checks shared by the admin tests: who may see a page at all."""

from django.contrib.auth.models import User


def outsiders(client):
    """Yield "anonymous", then log in a user who is not staff and yield "non-staff"."""
    yield "anonymous"
    client.force_login(User.objects.create_user("clerk", password="pw", is_staff=False))
    yield "non-staff"


def assert_sent_to_login(client, pages, who: str) -> None:
    for page in pages:
        response = client.get(page, secure=True)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), (who, page)
