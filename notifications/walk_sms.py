"""Walk lists by SMS for volunteers on basic phones.

When a campaign day is planned (``walk_lists.planned``), each volunteer who takes SMS and has
doors that day, today or tomorrow, gets the list in route order, split into messages of at
most two segments each (counted in the commune's mode: diacritics or folded), plus the answer
key once a campaign. A list re-planned unchanged is not sent again (the cause names the list's
contents); a changed one is.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dispatch.clock import LOCAL_TZ, utcnow
from dispatch.events import DomainEvent, WalkListsPlanned
from dispatch.models import (
    CampaignVisit,
    Commune,
    DoorStatus,
    Message,
    PreferredChannel,
    Volunteer,
)
from notifications.handlers import run_handler
from notifications.outbound import Outgoing, sms_language
from notifications.templates import format_clock, render

MAX_SEGMENTS = 2
ITEM_ADDRESS_CHARS = 28
_VI_DAYS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")


def walk_lists_planned(event_id: int) -> None:
    run_handler(event_id, _build)


def day_label(day: date, lang: str) -> str:
    if lang == "vi":
        return f"{_VI_DAYS[day.weekday()]} {day.day}/{day.month}"
    return day.strftime("%a %d %b")


def walk_items(visits: Sequence[CampaignVisit], lang: str) -> list[str]:
    items = []
    for visit in visits:
        household = visit.household
        address = household.address[:ITEM_ADDRESS_CHARS]
        items.append(
            f"{visit.route_order}) {format_clock(visit.start_at, lang)} "
            f"{household.head_name}, {address}"
        )
    return items


def split_items(items: list[str], segments: Callable[[list[str]], int]) -> list[list[str]]:
    """Items in order, as few messages as fit in ``MAX_SEGMENTS`` each (an item too long for
    one message alone still goes, alone, cut to fit)."""
    parts: list[list[str]] = []
    current: list[str] = []
    for item in items:
        if current and segments([*current, item]) > MAX_SEGMENTS:
            parts.append(current)
            current = []
        while not current and segments([item]) > MAX_SEGMENTS and len(item) > 20:
            item = item[: len(item) - 10]
        current.append(item)
    if current:
        parts.append(current)
    return parts


def walk_messages(
    session: Session,
    volunteer_visits: Sequence[CampaignVisit],
    cause: str,
    volunteer: Volunteer | None = None,
) -> list[Outgoing]:
    """The list's messages to ``volunteer`` (default: the one holding it; a pair's partner
    gets the same list)."""
    first = volunteer_visits[0]
    volunteer, day = volunteer or first.volunteer, first.day
    lang = sms_language(volunteer.languages)
    commune = session.get(Commune, volunteer.commune_code)
    fold = bool(commune and commune.fold_diacritics)
    label = day_label(day, lang)

    def segments(chunk: list[str]) -> int:
        return render(
            "walk_list", lang, fold, day=label, part="9/9", items="; ".join(chunk)
        ).segments

    parts = split_items(walk_items(volunteer_visits, lang), segments)
    contents = "|".join(f"{v.household_id}@{v.start_at.isoformat()}" for v in volunteer_visits)
    digest = hashlib.sha1(contents.encode()).hexdigest()[:10]

    def out(template: str, key: str, **values: object) -> Outgoing:
        return Outgoing(phone=volunteer.phone, template=template, values=values, cause=key,
                        lang=lang, commune_code=volunteer.commune_code,
                        volunteer_id=volunteer.id)  # fmt: skip

    messages = [out("walk_list_key", f"walk-key:c{first.campaign_id}:v{volunteer.id}")]
    for index, chunk in enumerate(parts, start=1):
        messages.append(
            out(
                "walk_list",
                f"{cause}:walk:{day}:v{volunteer.id}:{digest}:{index}",
                day=label,
                part=f"{index}/{len(parts)}",
                items="; ".join(chunk),
            )  # fmt: skip
        )
    return messages


def _build(session: Session, event: DomainEvent, cause: str) -> Sequence[Outgoing | Message]:
    assert isinstance(event, WalkListsPlanned)
    campaign_id, day = event.campaign_id, date.fromisoformat(event.day)
    today = utcnow().astimezone(LOCAL_TZ).date()
    if not today <= day <= today + timedelta(days=1):
        return []  # a later day's list goes out when that day comes near (or from the panel)
    return list(lists_for_day(session, campaign_id, day, "walk"))


def lists_for_day(session: Session, campaign_id: int, day: date, cause: str) -> list[Outgoing]:
    visits = session.scalars(
        select(CampaignVisit)
        .where(
            CampaignVisit.campaign_id == campaign_id,
            CampaignVisit.day == day,
            CampaignVisit.status == DoorStatus.PLANNED,
        )  # fmt: skip
        .options(
            selectinload(CampaignVisit.household),
            selectinload(CampaignVisit.volunteer),
            selectinload(CampaignVisit.partner),
        )
        .order_by(CampaignVisit.volunteer_id, CampaignVisit.route_order)
    ).all()
    by_volunteer: dict[int, list[CampaignVisit]] = defaultdict(list)
    people: dict[int, Volunteer] = {}
    for visit in visits:
        for person in (visit.volunteer, visit.partner):  # both of a pair get the list
            if (
                person is not None
                and person.preferred_channel == PreferredChannel.SMS
                and not person.opted_out
            ):
                by_volunteer[person.id].append(visit)
                people[person.id] = person
    out: list[Outgoing] = []
    for person_id, mine in by_volunteer.items():
        out += walk_messages(session, mine, cause, people[person_id])
    return out
