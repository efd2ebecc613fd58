"""The one registry of tools: name → Tool, built once, checked at start-up."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from functools import cache

from django.conf import settings

from tools.base import Tool

# Modules that export TOOLS = (Tool, ...). Deployments (and the tests) may add
# their own through VICBOT_EXTRA_TOOL_MODULES without editing this list.
BUILTIN_TOOL_MODULES = (
    "tools.web_scrape",
    "tools.pitchbook",
    "tools.salesforce",
)


class UnknownTool(LookupError):
    pass


class Registry:
    def __init__(self, tools: Iterable[Tool]):
        self._tools: dict[str, Tool] = {}
        for tool in tools:
            if tool.name in self._tools:
                raise ValueError(f"Two tools are named {tool.name!r}")
            self._tools[tool.name] = tool

    def get(self, name: str) -> Tool:
        try:
            return self._tools[name]
        except KeyError:
            raise UnknownTool(name) from None

    def names(self) -> list[str]:
        return sorted(self._tools)

    def __iter__(self):
        return iter(self._tools.values())

    def offered(self, names: Iterable[str], *, allow_writes: bool) -> list[Tool]:
        """The tools among `names` whose integrations are configured, in the given order.

        Tools that write (`Tool.writes`) only when `allow_writes`: an assistant that reads
        untrusted text must be allowed to change records on purpose, not by default.
        """
        return [
            tool
            for tool in (self._tools.get(name) for name in names)
            if tool is not None and tool.is_available() and (allow_writes or not tool.writes)
        ]


def _load_modules(paths: Iterable[str]) -> list[Tool]:
    tools: list[Tool] = []
    for path in paths:
        tools.extend(importlib.import_module(path).TOOLS)
    return tools


@cache
def registry() -> Registry:
    return Registry(_load_modules([*BUILTIN_TOOL_MODULES, *settings.VICBOT_EXTRA_TOOL_MODULES]))


def check_registry() -> list[str]:
    """Problems that must stop every process at start-up (called from VicbotConfig.ready)."""
    try:
        reg = registry()
    except Exception as exc:
        return [f"The tool registry could not be built: {type(exc).__name__}: {exc}"]
    problems = []
    for tool in reg:
        try:
            tool.openai_definition()
        except Exception as exc:
            problems.append(f"Tool {tool.name!r} has no valid strict schema: {exc}")
    return problems
