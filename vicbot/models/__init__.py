from vicbot.models.heartbeat import WorkerHeartbeat

__all__ = ["WorkerHeartbeat"]
