"""Template tags the admin's own templates load by name (the admin modules never import the console)."""

from django import template

from console.formatting import dollars as _dollars
from console.formatting import pretty_json, when
from console.markdown import render_markdown

register = template.Library()


@register.simple_tag
def run_timeline(run):
    from console.timeline import run_timeline as build

    return build(run)


@register.simple_tag
def pitch_page(pitch):
    from console.pitch_page import pitch_page as build

    return build(pitch)


@register.simple_tag
def assistant_page(assistant):
    from console.assistants import assistant_page as build

    return build(assistant)


@register.simple_tag
def pipeline_page(pipeline):
    from console.pipeline_page import pipeline_page as build

    return build(pipeline)


@register.filter
def markdown(text):
    return render_markdown(text)


@register.filter
def as_json(value):
    return pretty_json(value)


@register.filter
def seconds_stamp(value):
    return when(value)


@register.filter
def dollars(value):
    return _dollars(value)
