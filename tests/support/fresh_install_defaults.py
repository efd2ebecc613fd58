"""Run as a script on an empty database: migrate it as a release phase would, then print the values of the
fields named on the command line (`pipeline:default:max_in_flight`, `assistant:vicbot:schedule.interval.every`)
as one JSON object. The settings are the environment's, as `manage.py migrate` reads them."""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from pipelines.models import Pipeline  # noqa: E402
from vicbot.runs import Assistant  # noqa: E402


def value(kind: str, name: str, path: str):
    target = Pipeline.objects.get(name=name) if kind == "pipeline" else Assistant.objects.current(name)
    for attribute in path.split("."):
        target = getattr(target, attribute)
    return target


if __name__ == "__main__":
    call_command("migrate", verbosity=0, interactive=False)
    print(json.dumps({key: value(*key.split(":", 2)) for key in sys.argv[1:]}, default=str))
