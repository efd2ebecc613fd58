"""What the pipeline spends of the org's daily Salesforce API budget."""

from __future__ import annotations

from contextlib import contextmanager

from django.db.models import F

from integrations.salesforce import SalesforceClient
from pipelines.models import Pipeline


@contextmanager
def counting_calls(pipeline: Pipeline, client: SalesforceClient):
    """Add the calls made inside the block to the pipeline's tally, and keep the org's latest usage.

    Counted in this thread only: tasks running beside it in a threads-pool worker share the client.
    """
    before = client.calls_in_this_thread
    try:
        yield
    finally:
        fields = {"salesforce_calls": F("salesforce_calls") + (client.calls_in_this_thread - before)}
        if client.api_usage:
            fields["api_usage"] = "{}/{}".format(*client.api_usage)
        Pipeline.objects.filter(pk=pipeline.pk).update(**fields)
