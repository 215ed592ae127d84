"""SQLAlchemy 2.x ORM models (模型). Imports nothing else of ours."""
from .base import Base
from .db import Database, on_commit, utcnow
from .process import ProcessVersion, ProcessDefinition, ProcessInstance
from .task import HumanTask, Timer
from .audit import AuditEvent
from .calendar import CalendarDay, Setting
from .inbox import Attachment, Notification, TaskDraft
from .lanes import LaneRule, StartPermission
from .organisation import (ROLE_NAMES, ROLES, CongressSession, Deputy, Division, LoginFailure,
                           Role, Unit, User)
from .login import LoginName, LoginSession
from .password_link import PasswordLink
from .committee import Committee, CommitteeField, SupervisionActivity
from .substitution import SavedFilter, Substitution
from .mail import OUTBOX_STATES, MailOutbox, MailPreference
from .publication import PUBLICATION_STATES, Publication, PublicationIndex
from .suggestion import (ASSIGNMENT_ROLES, MODES, Assignment, Consultation, CoOpinion, Escalation,
                         Extension, Feedback, FollowUp, ProgressReport, Reply, ReturnRequest,
                         Suggestion, SuggestionCoSigner, SuggestionTerms)

__all__ = [
    "Base", "Database", "on_commit", "utcnow",
    "ProcessVersion", "ProcessDefinition", "ProcessInstance",
    "HumanTask", "Timer", "AuditEvent", "CalendarDay", "Setting",
    "Attachment", "Notification", "TaskDraft",
    "LaneRule", "StartPermission", "ROLE_NAMES", "Role",
    "ROLES", "CongressSession", "Deputy", "Division", "LoginFailure", "Unit", "User",
    "LoginName", "LoginSession", "PasswordLink", "Committee", "CommitteeField",
    "SupervisionActivity", "SavedFilter", "Substitution",
    "OUTBOX_STATES", "MailOutbox", "MailPreference",
    "ASSIGNMENT_ROLES", "MODES", "Assignment", "Consultation", "CoOpinion", "Escalation",
    "Extension", "Feedback", "FollowUp", "ProgressReport", "Reply", "ReturnRequest", "Suggestion",
    "SuggestionCoSigner", "SuggestionTerms",
    "PUBLICATION_STATES", "Publication", "PublicationIndex",
]
