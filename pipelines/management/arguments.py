"""Argument types for the operator commands: a wrong value is refused with a clear message."""

from __future__ import annotations

import argparse
import re

SALESFORCE_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more (got {value})")
    return value


def salesforce_id(text: str) -> str:
    """A 15- or 18-character Salesforce record id (letters and digits)."""
    if not SALESFORCE_ID.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a Salesforce record id (15 or 18 letters and digits, e.g. 001000000000001AAA)")
    return text


def port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 1 to 65535 (got {value})")
    return value


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds (got {text})")
    return value
