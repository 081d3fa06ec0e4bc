"""Typed SQLAlchemy models, split by concept. Import models from here."""

from dispatch.models.audit import AuditLog
from dispatch.models.base import Base, StatusType
from dispatch.models.campaigns import (
    Campaign,
    CampaignStatus,
    CampaignVisit,
    DoorOutcome,
    DoorStatus,
)
from dispatch.models.dialogue import PhoneOptOut, SmsDialogue
from dispatch.models.geo import ChannelKind, Commune, Hamlet, Province, SmsChannelKind, Team
from dispatch.models.households import AtHome, Household, HouseholdMember
from dispatch.models.messages import Direction, Message, MessageStatus
from dispatch.models.outbox import Event
from dispatch.models.people import (
    ExceptionKind,
    PreferredChannel,
    Resident,
    ShiftException,
    Volunteer,
    VolunteerShift,
)
from dispatch.models.planning import PlanRun, PlanRunStatus
from dispatch.models.proposals import ProposalStatus, TimeProposal
from dispatch.models.requests import (
    Assignment,
    AssignmentSource,
    HelpRequest,
    RequestChannel,
    VisitOutcome,
)
from dispatch.models.users import Role, User, user_commune
from dispatch.models.zalo import ChannelAlert, ZaloAccount, ZaloReceipt

__all__ = [
    "AtHome",
    "Campaign",
    "CampaignStatus",
    "CampaignVisit",
    "DoorOutcome",
    "DoorStatus",
    "Household",
    "HouseholdMember",
    "Assignment",
    "AssignmentSource",
    "AuditLog",
    "Base",
    "ChannelAlert",
    "ChannelKind",
    "Commune",
    "Direction",
    "Event",
    "ExceptionKind",
    "Hamlet",
    "HelpRequest",
    "Message",
    "MessageStatus",
    "PhoneOptOut",
    "PlanRun",
    "PlanRunStatus",
    "PreferredChannel",
    "ProposalStatus",
    "Province",
    "RequestChannel",
    "Resident",
    "Role",
    "ShiftException",
    "SmsDialogue",
    "SmsChannelKind",
    "StatusType",
    "Team",
    "TimeProposal",
    "User",
    "Volunteer",
    "VolunteerShift",
    "VisitOutcome",
    "ZaloAccount",
    "ZaloReceipt",
    "user_commune",
]
