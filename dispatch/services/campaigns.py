"""Campaigns: open one (hamlets, checklist, dates), start it, close it; record a door outcome.

A door outcome is idempotent per visit (an SMS retry or a second tap corrects, never adds), and
the household's misses are recounted from its "nobody home" outcomes, so they cannot drift. At
``MISSES_FOR_HEAD`` the household is flagged for the hamlet head and leaves the walk lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.campaign_items import DIFFICULTIES, ITEMS_BY_KEY
from dispatch.clock import as_utc
from dispatch.events import CampaignStarted, DoorMissed
from dispatch.models import (
    AuditLog,
    Campaign,
    CampaignStatus,
    CampaignVisit,
    DoorOutcome,
    DoorStatus,
    Hamlet,
    Household,
    HouseholdMember,
)
from dispatch.outbox import record
from dispatch.services.errors import InvalidCommand, NotFound
from dispatch.services.unit_of_work import atomic
from dispatch.states import IllegalTransition

MISSES_FOR_HEAD = 3
MAX_DAYS = 62
CAMPAIGN_TRANSITIONS: Mapping[CampaignStatus, frozenset[CampaignStatus]] = {
    CampaignStatus.DRAFT: frozenset({CampaignStatus.RUNNING, CampaignStatus.CLOSED}),
    CampaignStatus.RUNNING: frozenset({CampaignStatus.CLOSED}),
    CampaignStatus.CLOSED: frozenset(),
}
OUTCOMES = (DoorStatus.DONE, DoorStatus.NOBODY_HOME, DoorStatus.REFUSED, DoorStatus.COME_BACK)


@dataclass(frozen=True)
class OpenCampaign:
    commune_code: str
    name: str
    hamlets: list[str]
    checklist: list[str]
    first_day: date
    last_day: date
    in_pairs: bool = False


@dataclass(frozen=True)
class RecordOutcome:
    visit_id: int
    status: DoorStatus
    done_items: list[str] = field(default_factory=list)
    come_back_at: datetime | None = None
    digital_core_member_id: int | None = None
    difficulties: list[str] = field(default_factory=list)
    note: str = ""
    via: str = "web"


def open_campaign(session: Session, command: OpenCampaign, actor: str, now: datetime) -> Campaign:
    if not command.name.strip():
        raise InvalidCommand("a campaign needs a name")
    known = set(
        session.scalars(select(Hamlet.code).where(Hamlet.commune_code == command.commune_code))
    )
    if not command.hamlets or set(command.hamlets) - known:
        raise InvalidCommand("choose hamlets of the campaign's commune")
    if not command.checklist or set(command.checklist) - set(ITEMS_BY_KEY):
        raise InvalidCommand("choose checklist items from the list")
    if (
        not command.first_day <= command.last_day
        or (command.last_day - command.first_day).days >= MAX_DAYS
    ):
        raise InvalidCommand(f"the last day must follow the first, at most {MAX_DAYS} days on")
    with atomic(session):
        campaign = Campaign(
            commune_code=command.commune_code, name=command.name.strip()[:120],
            hamlets=sorted(command.hamlets), checklist=list(command.checklist),
            first_day=command.first_day, last_day=command.last_day, created_by=actor,
            in_pairs=command.in_pairs,
            created_at=as_utc(now), updated_at=as_utc(now),
        )  # fmt: skip
        session.add(campaign)
        session.flush()
        _audit(session, actor, "campaign.open", campaign, now, {"name": campaign.name})
    return campaign


def set_status(
    session: Session, campaign: Campaign, target: CampaignStatus, actor: str, now: datetime
) -> Campaign:
    if target not in CAMPAIGN_TRANSITIONS[campaign.status]:
        raise IllegalTransition("campaign", str(campaign.status), str(target))
    with atomic(session):
        before = str(campaign.status)
        campaign.status = target
        campaign.updated_at = as_utc(now)
        _audit(
            session, actor, "campaign.status", campaign, now, {"from": before, "to": str(target)}
        )
        if target == CampaignStatus.RUNNING:
            record(session, CampaignStarted(campaign.commune_code, campaign.id))
    return campaign


def record_outcome(
    session: Session, volunteer_id: int, command: RecordOutcome, now: datetime
) -> DoorOutcome:
    """The outcome at one door of the volunteer's own walk list, alone or in a pair (another's
    visit: NotFound). Either of a pair records the one outcome of the visit."""
    visit = session.get(CampaignVisit, command.visit_id)
    if visit is None or not visit.walked_by(volunteer_id) or visit.status == DoorStatus.DROPPED:
        raise NotFound("campaign visit", command.visit_id)
    if command.status not in OUTCOMES:
        raise InvalidCommand(f"not an outcome: {command.status}")
    if command.status == DoorStatus.COME_BACK and command.come_back_at is None:
        raise InvalidCommand("'come back' needs a time")
    checklist = visit.campaign.checklist
    done = [k for k in command.done_items if k in checklist]
    if command.status == DoorStatus.DONE and not command.done_items:
        done = list(checklist)  # "done" alone: the whole checklist
    difficulties = [code for code in command.difficulties if code in DIFFICULTIES]
    member = None
    if command.digital_core_member_id is not None:
        member = session.get(HouseholdMember, command.digital_core_member_id)
        if member is None or member.household_id != visit.household_id:
            raise InvalidCommand("that member is not of this household")
    now = as_utc(now)
    with atomic(session):
        outcome = visit.outcome or DoorOutcome(visit_id=visit.id, household_id=visit.household_id)
        outcome.status = command.status
        outcome.done_items = done if command.status == DoorStatus.DONE else []
        outcome.come_back_at = (
            command.come_back_at if command.status == DoorStatus.COME_BACK else None
        )
        outcome.digital_core_member_id = member.id if member is not None else None
        outcome.difficulties = difficulties
        outcome.note = command.note.strip()[:1000] or None
        outcome.recorded_at, outcome.recorded_via = now, command.via
        session.add(outcome)
        visit.status = command.status
        if member is not None:
            member.digital_core = True
        session.flush()
        _recount_misses(session, visit.household, now)
        if command.status in (DoorStatus.NOBODY_HOME, DoorStatus.COME_BACK):
            record(session, DoorMissed(visit.campaign.commune_code, visit.campaign_id,
                                       visit.household_id, visit.day.isoformat()))  # fmt: skip
    return outcome


def _recount_misses(session: Session, household: Household, now: datetime) -> None:
    misses = session.scalar(
        select(func.count())
        .select_from(DoorOutcome)
        .where(
            DoorOutcome.household_id == household.id, DoorOutcome.status == DoorStatus.NOBODY_HOME
        )
    )
    household.misses = int(misses or 0)
    if household.misses >= MISSES_FOR_HEAD and household.flagged_at is None:
        household.flagged_at = now
    elif household.misses < MISSES_FOR_HEAD:
        household.flagged_at = None


def _audit(
    session: Session,
    actor: str,
    action: str,
    campaign: Campaign,
    now: datetime,
    after: dict[str, str],
) -> None:
    session.add(
        AuditLog(
            at=as_utc(now),
            actor=actor,
            action=action,
            entity_type="campaign",
            entity_id=str(campaign.id),
            before=None,
            after=after,
            commune_code=campaign.commune_code,
        )  # fmt: skip
    )
