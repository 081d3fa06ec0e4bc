"""Coverage counted per hamlet, then summed to commune and province (shares from the sums).

A household is *reached* when a door outcome says "done"; the *digital core* share counts
households with a member able to use a smartphone for the family (from the register or named at
the door); each checklist item's share counts households where that item was done. Misses are
"nobody home" outcomes; *flagged* households have had three and wait for the hamlet head.
Difficulties noted at the door are counted per household. ``until`` limits the outcomes to
visits up to that day (a month-end report); ``campaign_id`` to one campaign.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dispatch.campaign_items import DIFFICULTIES, ITEMS
from dispatch.models import (
    CampaignVisit,
    Commune,
    DoorOutcome,
    DoorStatus,
    Hamlet,
    Household,
)


@dataclass
class Counts:
    households: int = 0
    reached: int = 0
    refused: int = 0
    digital_core: int = 0
    misses: int = 0
    flagged: int = 0
    doors_knocked: int = 0  # outcomes of any kind
    items: Counter[str] = field(default_factory=Counter)
    difficulties: Counter[str] = field(default_factory=Counter)

    def add(self, other: Counts) -> None:
        for name in ("households", "reached", "refused", "digital_core", "misses", "flagged",
                     "doors_knocked"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.items.update(other.items)
        self.difficulties.update(other.difficulties)

    def share(self, value: int) -> float:
        return value / self.households if self.households else 0.0


@dataclass
class Place:
    code: str
    name: str
    lat: float
    lon: float
    counts: Counts


@dataclass
class Coverage:
    hamlets: list[Place]
    communes: list[Place]
    province: Counts
    by_day: dict[date, Counter[str]]  # day -> outcome status -> doors


def _outcomes(
    session: Session, household_ids: Iterable[int], campaign_id: int | None, until: date | None
) -> list[DoorOutcome]:
    ids = list(household_ids)
    if not ids:
        return []
    query = (
        select(DoorOutcome)
        .join(CampaignVisit, CampaignVisit.id == DoorOutcome.visit_id)
        .where(DoorOutcome.household_id.in_(ids))
        .options(selectinload(DoorOutcome.visit))
    )
    if campaign_id is not None:
        query = query.where(CampaignVisit.campaign_id == campaign_id)
    if until is not None:
        query = query.where(CampaignVisit.day <= until)
    return list(session.scalars(query))


def coverage(
    session: Session,
    communes: list[str],
    *,
    hamlets: list[str] | None = None,
    campaign_id: int | None = None,
    until: date | None = None,
) -> Coverage:
    query = select(Household).where(Household.commune_code.in_(communes))
    if hamlets is not None:
        query = query.where(Household.hamlet_code.in_(hamlets))
    households = list(session.scalars(query.options(selectinload(Household.members))))
    outcomes: dict[int, list[DoorOutcome]] = defaultdict(list)
    by_day: dict[date, Counter[str]] = defaultdict(Counter)
    for outcome in _outcomes(session, (h.id for h in households), campaign_id, until):
        outcomes[outcome.household_id].append(outcome)
        by_day[outcome.visit.day][str(outcome.status)] += 1
    per_hamlet: dict[str, Counts] = defaultdict(Counts)
    for household in households:
        counts = per_hamlet[household.hamlet_code]
        mine = outcomes[household.id]
        counts.households += 1
        counts.doors_knocked += len(mine)
        counts.reached += any(o.status == DoorStatus.DONE for o in mine)
        counts.refused += any(o.status == DoorStatus.REFUSED for o in mine)
        counts.digital_core += any(m.digital_core for m in household.members) or any(
            o.digital_core_member_id is not None for o in mine
        )
        misses = sum(o.status == DoorStatus.NOBODY_HOME for o in mine)
        counts.misses += misses
        counts.flagged += household.flagged_at is not None
        counts.items.update({k for o in mine if o.status == DoorStatus.DONE for k in o.done_items})
        counts.difficulties.update({d for o in mine for d in o.difficulties})
    hamlet_rows = session.scalars(
        select(Hamlet).where(Hamlet.commune_code.in_(communes)).order_by(Hamlet.code)
    ).all()
    places = [
        Place(h.code, h.name, h.lat, h.lon, per_hamlet[h.code])
        for h in hamlet_rows
        if hamlets is None or h.code in hamlets
    ]
    commune_counts: dict[str, Counts] = defaultdict(Counts)
    hamlet_commune = {h.code: h.commune_code for h in hamlet_rows}
    for place in places:
        commune_counts[hamlet_commune[place.code]].add(place.counts)
    commune_places = [
        Place(c.code, c.name, c.lat, c.lon, commune_counts[c.code])
        for c in session.scalars(
            select(Commune).where(Commune.code.in_(communes)).order_by(Commune.name)
        )
    ]
    province = Counts()
    for commune in commune_places:
        province.add(commune.counts)
    return Coverage(places, commune_places, province, dict(sorted(by_day.items())))


REPORT_HEADER = (
    ["commune", "hamlet_code", "hamlet", "households", "reached", "reached_share", "digital_core",
     "digital_core_share", "refused", "misses", "flagged_for_hamlet_head", "doors_knocked"]
    + [f"item_{item.key}" for item in ITEMS]
    + [f"difficulty_{code}" for code in DIFFICULTIES]
)  # fmt: skip


def report_rows(result: Coverage, commune_of: dict[str, str]) -> list[list[object]]:
    """A row per hamlet in the shape a commune reports upward each month, then the totals."""
    rows: list[list[object]] = []

    def row(commune: str, code: str, name: str, c: Counts) -> list[object]:
        return (
            [commune, code, name, c.households, c.reached, round(c.share(c.reached), 3),
             c.digital_core, round(c.share(c.digital_core), 3), c.refused, c.misses, c.flagged,
             c.doors_knocked]
            + [c.items[item.key] for item in ITEMS]
            + [c.difficulties[code] for code in DIFFICULTIES]
        )  # fmt: skip

    for place in result.hamlets:
        rows.append(row(commune_of.get(place.code, ""), place.code, place.name, place.counts))
    for commune in result.communes:
        rows.append(row(commune.code, "", f"= {commune.name}", commune.counts))
    rows.append(row("", "", "= total", result.province))
    return rows
