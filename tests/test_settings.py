"""Production settings: check --deploy, and TLS only for rediss:// URLs."""

import secrets

import pytest

from tests.support.commands import manage
def test_production_settings_pass_check_deploy(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env_overrides={
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DJANGO_ALLOWED_HOSTS": "vicbot.example.com",
        "VICBOT_VAR_DIR": str(tmp_path)})

    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_without_a_secret_key_from_the_environment(tmp_path):
    result = manage("check", "--deploy", env_overrides={"VICBOT_VAR_DIR": str(tmp_path)})

    assert result.returncode != 0
    assert "vicbot.E001" in result.stderr


@pytest.mark.parametrize(
    "redis_url, tls",
    [("rediss://:secret@redis.example.com:6380", True), ("redis://127.0.0.1:6379/0", False), ("", False)],
)
def test_only_a_rediss_url_switches_on_tls_without_certificate_checks(tmp_path, redis_url, tls):
    script = ("from django.conf import settings as s; import ssl; "
              "print(s.CELERY_BROKER_URL.split(':')[0], getattr(s, 'CELERY_BROKER_USE_SSL', None) == "
              "{'ssl_cert_reqs': ssl.CERT_NONE}, s.CACHES['default'].get('OPTIONS', {}).get('ssl_cert_reqs', 'x'))")
    result = manage("shell", "-c", script, env_overrides={"REDIS_URL": redis_url, "VICBOT_VAR_DIR": str(tmp_path)})

    assert result.returncode == 0, result.stderr
    scheme, broker_tls, cache_cert_reqs = result.stdout.strip().splitlines()[-1].split()
    assert broker_tls == str(tls)
    assert scheme == ("rediss" if tls else "redis" if redis_url else "filesystem")
    assert (cache_cert_reqs == "None") == tls
