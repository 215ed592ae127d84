"""SQLAlchemy 2.x ORM models (模型). Imports nothing else of ours."""
from .base import Base
from .db import Database, on_commit, utcnow
from .process import ProcessVersion, ProcessDefinition, ProcessInstance
from .task import HumanTask, Timer
from .audit import AuditEvent

__all__ = [
    "Base", "Database", "on_commit", "utcnow",
    "ProcessVersion", "ProcessDefinition", "ProcessInstance",
    "HumanTask", "Timer", "AuditEvent",
]
