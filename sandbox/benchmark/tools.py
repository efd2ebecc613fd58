"""Tools of a known latency for the benchmark (VICBOT_EXTRA_TOOL_MODULES in its worker).

Each waits BENCHMARK_TOOL_LATENCY seconds, like a lookup in an outside service, so a pitch's
intrinsic time is known exactly: the model's turns plus one tool latency per tool turn.
"""

import os
import time

from pydantic import BaseModel, Field

from tools.base import Tool

MAX_TOOLS = 8


class LookupArgs(BaseModel):
    company_name: str = Field(description="The company's name")


def _lookup(args: LookupArgs, ctx):
    time.sleep(float(os.environ.get("BENCHMARK_TOOL_LATENCY", "0")))
    return {"company": args.company_name, "employees": 12}


def tool_names(count: int) -> list[str]:
    return [f"benchmark_lookup_{index}" for index in range(1, count + 1)]


TOOLS = tuple(Tool(name, "Look the company up in a directory.", LookupArgs, _lookup, timeout_seconds=60)
              for name in tool_names(MAX_TOOLS))
