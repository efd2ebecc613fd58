"""Tools the tests add to the registry (in the worker too) through VICBOT_EXTRA_TOOL_MODULES.

Each misbehaves in one way a real integration can: raises, hangs, talks too much.
"""

import time

from pydantic import BaseModel, Field

from tools.base import Tool


class CompanyArgs(BaseModel):
    company_name: str = Field(description="The company's name")


class PauseArgs(BaseModel):
    seconds: int = Field(description="How long to think")


def _lookup(args: CompanyArgs, ctx):
    return {"company": args.company_name, "employees": 12, "run": ctx.run_id}


def _explode(args: CompanyArgs, ctx):
    raise RuntimeError(f"the registry of {args.company_name} is on fire")


def _hang(args: CompanyArgs, ctx):
    time.sleep(5)
    return {"too": "late"}


def _chatter(args: CompanyArgs, ctx):
    return "blah " * 20_000


def _pause(args: PauseArgs, ctx):
    time.sleep(3)  # long enough for a test to kill the worker mid-call
    return {"paused": True}


TOOLS = (
    Tool("test_lookup", "Look a company up in the test registry.", CompanyArgs, _lookup),
    Tool("test_explode", "A lookup that always raises.", CompanyArgs, _explode),
    Tool("test_hang", "A lookup that never answers in time.", CompanyArgs, _hang, timeout_seconds=0.5),
    Tool("test_chatter", "A lookup that answers far too much.", CompanyArgs, _chatter),
    Tool("test_pause", "A slow step.", PauseArgs, _pause, timeout_seconds=5),
)
