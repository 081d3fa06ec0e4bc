"""Campaign walks as busy time for the residents' planner (``planning_scenario``).

Once a day's walk list is written it is printed, sent by SMS and walked: the residents' planner
plans new requests around it rather than moving it (a resident's request has the other
volunteers of the commune and three days; a walk list re-planned under a volunteer's feet would
leave households told to wait at home). A volunteer's walk of a day is busy from leaving home
for the first door to being back home after the last one, for both volunteers of a pair.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from dispatch.campaign_model import TRAVEL, cut_out
from dispatch.models import Campaign, CampaignStatus, CampaignVisit, DoorStatus
from scheduler.travel import travel_seconds
from scheduler.types import Interval, LatLon


def walk_spans(
    session: Session, homes: dict[int, LatLon], begin: datetime, end: datetime
) -> dict[int, list[tuple[datetime, datetime]]]:
    """Per volunteer id (of ``homes``): each day's walk between ``begin`` and ``end``."""
    if not homes:
        return {}
    ids = list(homes)
    walks: dict[tuple[int, date], list[CampaignVisit]] = defaultdict(list)
    for visit in session.scalars(
        select(CampaignVisit)
        .join(Campaign)
        .where(
            Campaign.status == CampaignStatus.RUNNING,  # a closed campaign walks no more
            or_(CampaignVisit.volunteer_id.in_(ids), CampaignVisit.partner_id.in_(ids)),
            CampaignVisit.status != DoorStatus.DROPPED,
            CampaignVisit.start_at < end,
            CampaignVisit.end_at > begin,
        )
        .options(selectinload(CampaignVisit.household))
    ):
        for person in (visit.volunteer_id, visit.partner_id):
            if person in homes:
                walks[(person, visit.day)].append(visit)
    spans: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for (person, _day), visits in walks.items():
        first = min(visits, key=lambda v: v.start_at)
        last = max(visits, key=lambda v: v.end_at)
        home = homes[person]
        out = _way(home, LatLon(first.household.lat, first.household.lon))
        back = _way(LatLon(last.household.lat, last.household.lon), home)
        spans[person].append((first.start_at - out, last.end_at + back))
    return spans


def _way(a: LatLon, b: LatLon) -> timedelta:
    return timedelta(seconds=travel_seconds(TRAVEL, a, b) + 1)


def without_walks(
    shifts: Iterable[Interval], spans: list[tuple[datetime, datetime]]
) -> list[Interval]:
    """``shifts`` with the walks taken out."""
    pieces = list(shifts)
    for start, end in spans:
        pieces = cut_out(pieces, start, end)
    return pieces
