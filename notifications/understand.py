"""The parser (pure, names) joined to the database (codes) and to time windows.

``notifications.parser.parse_sms`` reads names as stored; here the configured database's
communes and hamlets become its gazetteer, the names it finds become codes, and a wished day
and part of day become the preferred windows a request is submitted with.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.clock import local_to_utc, to_local
from dispatch.models import Commune, Hamlet
from dispatch.services import TimeWindow
from notifications.parser import parse_sms

#: Local hours of each part of the day (volunteers' shifts run 07:00-21:00).
PARTS: dict[str, tuple[time, time]] = {
    "morning": (time(7, 0), time(11, 30)),
    "afternoon": (time(13, 0), time(17, 30)),
    "evening": (time(17, 30), time(21, 0)),
}
DAY = (time(7, 0), time(21, 0))


@dataclass(frozen=True)
class Understood:
    intent: str
    kind: str | None
    commune_code: str | None
    hamlet_code: str | None
    day: date | None
    part: str | None
    codes: tuple[str, ...] = ()  # letters of the visits a volunteer's answer names


@dataclass(frozen=True)
class Places:
    gazetteer: dict[str, list[str]]  # commune name -> hamlet names (the parser's input)
    communes: dict[str, str]  # commune name -> code
    hamlets: dict[tuple[str, str], tuple[str, str]]  # (commune, hamlet name) -> codes
    commune_names: dict[str, str]  # code -> name


def load_places(session: Session) -> Places:
    gazetteer: dict[str, list[str]] = defaultdict(list)
    communes: dict[str, str] = {}
    names: dict[str, str] = {}
    hamlets: dict[tuple[str, str], tuple[str, str]] = {}
    for commune in session.scalars(select(Commune).order_by(Commune.code)):
        gazetteer.setdefault(commune.name, [])
        communes.setdefault(commune.name, commune.code)
        names[commune.code] = commune.name
    for hamlet in session.scalars(select(Hamlet).order_by(Hamlet.code)):
        commune_name = names.get(hamlet.commune_code)
        if commune_name is None:
            continue
        gazetteer[commune_name].append(hamlet.name)
        hamlets.setdefault((commune_name, hamlet.name), (hamlet.code, hamlet.commune_code))
    return Places(dict(gazetteer), communes, hamlets, names)


def understand(
    session: Session, text: str, now: datetime, commune_code: str | None = None
) -> Understood:
    """Parse ``text`` as of ``now``; ``commune_code`` is the sender's commune, if known."""
    places = load_places(session)
    parsed = parse(text, places, to_local(now).date(), commune_code)
    commune_name, hamlet_name = parsed["commune"], parsed["hamlet"]
    hamlet_code = commune_of_hamlet = None
    if isinstance(commune_name, str) and isinstance(hamlet_name, str):
        found = places.hamlets.get((commune_name, hamlet_name))
        if found is not None:
            hamlet_code, commune_of_hamlet = found
    commune = commune_of_hamlet or (
        places.communes.get(commune_name) if isinstance(commune_name, str) else None
    )
    when = parsed["when"]
    assert isinstance(when, dict)
    return Understood(
        intent=str(parsed["intent"]),
        kind=parsed["kind"] if isinstance(parsed["kind"], str) else None,
        commune_code=commune,
        hamlet_code=hamlet_code,
        day=date.fromisoformat(when["day"]) if when.get("day") else None,
        part=when.get("part"),
        codes=tuple(parsed["codes"]) if isinstance(parsed["codes"], list) else (),
    )


def parse(
    text: str, places: Places, today: date, commune_code: str | None = None
) -> dict[str, object]:
    """The parser's own answer (names as stored), for ``doorstep parse-sms``."""
    default = places.commune_names.get(commune_code) if commune_code else None
    return parse_sms(text, places.gazetteer, today, default_commune=default)


def stated_window(day: date, part: str | None) -> tuple[datetime, datetime]:
    """The whole of a wished day and part of day, as said (past or not), in UTC."""
    start_t, end_t = PARTS.get(part or "", DAY)
    return local_to_utc(day, start_t), local_to_utc(day, end_t)


def windows_for(day: date | None, part: str | None, now: datetime) -> list[TimeWindow]:
    """Preferred windows for a wished day and part of day (none: any time).

    A part without a day means the next such part still ahead (this afternoon, or tomorrow
    morning when the morning is over); a window already past is left out.
    """
    if day is None and part is None:
        return []
    start_t, end_t = PARTS.get(part or "", DAY)
    local_today = to_local(now).date()
    days = [day] if day is not None else [local_today, local_today + timedelta(days=1)]
    for candidate in days:
        end = local_to_utc(candidate, end_t)
        if end <= now:
            continue
        start = max(local_to_utc(candidate, start_t), now)
        return [TimeWindow(start, end)]
    return []
