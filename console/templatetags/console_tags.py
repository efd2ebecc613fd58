"""Template tags the admin's own templates load by name (the admin modules never import the console)."""

from django import template

from core.history import history, history_rows
from console.formatting import dollars as _dollars
from console.formatting import dollars_exact as _dollars_exact
from console.formatting import number as _number
from console.formatting import pretty_json, when
from console.assistants import assistant_page
from console.markdown import render_markdown
from console.pipeline_page import pipeline_page
from console.pitch_page import pitch_page
from console.timeline import may_see_pitches, run_timeline
from console.activity import object_activity

register = template.Library()


# Each page's context is built in its own module; the admin templates call them by these names.
@register.simple_tag(takes_context=True, name="run_timeline")
def run_timeline_tag(context, run):
    request = context.get("request")
    return run_timeline(run, show_pitch=request is not None and may_see_pitches(request.user))


register.simple_tag(pitch_page, name="pitch_page")


@register.simple_tag(name="history")
def history_tag(obj):
    """The object's transition log (a run's with its tool calls'): the page's History table."""
    also = []
    if (calls := getattr(obj, "tool_calls", None)) is not None:
        also.append((calls.model, calls.values_list("pk", flat=True)))
    return history_rows(history(type(obj), [obj.pk], *also))
register.simple_tag(assistant_page, name="assistant_page")
register.simple_tag(pipeline_page, name="pipeline_page")
register.simple_tag(object_activity, name="object_activity")


@register.filter
def markdown(text):
    return render_markdown(text)


@register.filter
def as_json(value):
    return pretty_json(value)


@register.filter
def seconds_stamp(value):
    """Kept for the templates that load it by this name: the one date format (console.formatting.when)."""
    return when(value)


@register.filter
def stamp(value):
    """A date and time as every console page writes it: "2026-12-06 14:05 UTC"."""
    return when(value)


@register.filter
def dollars(value):
    """Money in a list, to the cent."""
    return _dollars(value)


@register.filter
def dollars_exact(value):
    """Money on a detail page, to the hundredth of a cent."""
    return _dollars_exact(value)


@register.filter
def number(value):
    """A count with thousands separators."""
    return _number(value)
