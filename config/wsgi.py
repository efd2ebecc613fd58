import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# The URLconf, and with it every view's imports, now rather than on the first request: a webhook
# from OpenAI arriving first would wait for it (config names no app: Django's resolver loads them).
get_resolver().url_patterns  # noqa: B018
