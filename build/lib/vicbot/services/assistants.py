from django.db import transaction
from django.db.models import Max

from vicbot.models import Assistant


@transaction.atomic
def assistant_save_new_version(*, assistant: Assistant) -> Assistant:
    """Save `assistant`'s fields as the next version of its name; earlier versions stay as they were."""
    latest = Assistant.objects.select_for_update().filter(name=assistant.name).aggregate(v=Max("version"))["v"]
    assistant.pk = None
    assistant.version = (latest or 0) + 1
    assistant.save(force_insert=True)
    return assistant
