"""All models, imported here so that ``Base.metadata`` knows every table."""

from storage.models.base import Base
from storage.models.budget import (
    Budget,
    BudgetCounter,
    BudgetNotice,
    BudgetQuestion,
    BudgetRequest,
    BudgetShare,
    LeadDeputy,
    RequestState,
)
from storage.models.dialogue import DialogueChatData, DialogueState, DialogueUserData
from storage.models.digest import DigestSettings
from storage.models.enums import Role
from storage.models.faq import FaqChatEntry, FaqFeedback, FaqNotice, FaqQuestion, QuestionOutcome
from storage.models.hours import HourEntry, WeekReopening
from storage.models.org import (
    HourCategory,
    Meeting,
    Provider,
    ProviderContact,
    ProviderTeam,
    Region,
    Team,
    TeamQuota,
    TeamSeat,
)
from storage.models.reminders import (
    Delivery,
    MeetingAttendance,
    MeetingInvitee,
    Reminder,
    ReminderSettings,
    SchedulerRun,
)
from storage.models.system import AuditEntry, OneShot, ProcessedUpdate
from storage.models.users import Invitation, Membership, User

__all__ = [
    "AuditEntry",
    "Base",
    "Budget",
    "BudgetCounter",
    "BudgetNotice",
    "BudgetQuestion",
    "BudgetRequest",
    "BudgetShare",
    "Delivery",
    "DialogueChatData",
    "DialogueState",
    "DialogueUserData",
    "DigestSettings",
    "FaqChatEntry",
    "FaqFeedback",
    "FaqNotice",
    "FaqQuestion",
    "HourCategory",
    "HourEntry",
    "Invitation",
    "LeadDeputy",
    "Meeting",
    "MeetingAttendance",
    "MeetingInvitee",
    "Membership",
    "OneShot",
    "ProcessedUpdate",
    "Provider",
    "ProviderContact",
    "ProviderTeam",
    "QuestionOutcome",
    "Region",
    "Reminder",
    "ReminderSettings",
    "RequestState",
    "Role",
    "SchedulerRun",
    "Team",
    "TeamQuota",
    "TeamSeat",
    "User",
    "WeekReopening",
]
