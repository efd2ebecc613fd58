"""Completion handlers are plain functions named "package.module:function"."""

from __future__ import annotations

import importlib
from collections.abc import Callable


class InvalidHandler(ValueError):
    pass


def resolve_handler(path: str) -> Callable:
    module_name, sep, function_name = path.partition(":")
    if not sep or not module_name or not function_name:
        raise InvalidHandler(f'Completion handler {path!r} must look like "package.module:function"')
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise InvalidHandler(f"Completion handler {path!r}: cannot import {module_name!r} ({exc})") from exc
    handler = getattr(module, function_name, None)
    if not callable(handler):
        raise InvalidHandler(f"Completion handler {path!r}: {module_name} has no function {function_name!r}")
    return handler
