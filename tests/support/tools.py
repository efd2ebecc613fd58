"""Extra tools the tests load into the worker through VICBOT_EXTRA_TOOL_MODULES."""

TOOLS: tuple = ()
