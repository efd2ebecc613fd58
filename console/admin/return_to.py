"""After an admin action the operator stays on the page it was taken from.

The buttons on a pitch's, run's or pipeline's page post to the list's action endpoint; Django then
sends everyone back to the list. An action taken from an object's page (its Referer, or a
`_return_to` field an intermediate confirmation page carries on) returns there instead: only a
change page of this site, never another host.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

RETURN_FIELD = "_return_to"
_CHANGE_PAGE = re.compile(r"^/admin/[\w-]+/[\w-]+/[^/]+/change/$")


def referring_change_page(request) -> str:
    """The same-site change page the action came from ("" when it came from elsewhere)."""
    for candidate in (request.POST.get(RETURN_FIELD, ""), request.META.get("HTTP_REFERER", "")):
        if not candidate or not url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
            continue
        parts = urlsplit(candidate)
        if _CHANGE_PAGE.match(parts.path):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return ""


class ActionReturnsToPage:
    """ModelAdmin mixin: a finished action redirects back to the change page it was taken from."""

    def response_action(self, request, queryset):
        response = super().response_action(request, queryset)
        if isinstance(response, HttpResponseRedirect) and (page := referring_change_page(request)):
            return HttpResponseRedirect(page)
        if response is not None and hasattr(response, "context_data") and response.context_data is not None:
            # An intermediate page (confirm past a limit) carries the page on to the final post.
            response.context_data.setdefault("return_to", referring_change_page(request))
        return response
