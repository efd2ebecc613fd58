from vicbot.models.assistant import Assistant
from vicbot.models.heartbeat import WorkerHeartbeat
from vicbot.models.model_capacity import ModelCapacity
from vicbot.models.model_price import ModelPrice
from vicbot.models.run import ACTIVE_STATUSES, TERMINAL_STATUSES, CompletionState, Run, RunStatus
from vicbot.models.run_export import RunExport
from vicbot.models.suggested_change import SuggestedChange
from vicbot.models.tool_call import ToolCall
from vicbot.models.webhook_event import WebhookEvent

__all__ = [
    "ACTIVE_STATUSES", "TERMINAL_STATUSES", "Assistant", "CompletionState", "ModelCapacity", "ModelPrice", "Run",
    "RunExport", "RunStatus", "SuggestedChange", "ToolCall", "WebhookEvent", "WorkerHeartbeat",
]
