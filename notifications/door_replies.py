"""A volunteer's door outcomes by SMS: "3 X, 4 V, 5 H 16h" (list number + code), with or
without diacritics: X / xong = done, V / vắng = nobody home, H / hẹn = come back at a time
(required), T / từ chối = refused. Numbers are the route order of the volunteer's walk list of
the day (or of the day before, for a report sent next morning).

A single "1 X" or "2 V" could also answer an offer with that letter ("1X" accepts visit X): when
the volunteer has such an offer waiting, the offer wins and nothing here happens.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dispatch.clock import LOCAL_TZ, local_to_utc
from dispatch.models import Assignment, CampaignVisit, DoorStatus, Message
from dispatch.services import campaigns
from dispatch.states import AssignmentStatus
from notifications.templates import format_clock
from notifications.text import fold_key
from notifications.walk_sms import day_label

CODES = {
    "x": DoorStatus.DONE, "xong": DoorStatus.DONE,
    "v": DoorStatus.NOBODY_HOME, "vang": DoorStatus.NOBODY_HOME,
    "vang nha": DoorStatus.NOBODY_HOME,
    "h": DoorStatus.COME_BACK, "hen": DoorStatus.COME_BACK, "hen lai": DoorStatus.COME_BACK,
    "t": DoorStatus.REFUSED, "tc": DoorStatus.REFUSED, "tu choi": DoorStatus.REFUSED,
}  # fmt: skip
_BACK = "hen lai|hen|h"
_OTHER = "|".join(
    sorted((w for w in CODES if CODES[w] != DoorStatus.COME_BACK), key=len, reverse=True)
)
# "come back" takes a time ("16h", "16h30", "8g", "7:45"); the others take none, so in
# "4v 5h16h30" the 5 cannot be read as a time of the 4.
ITEM = re.compile(
    rf"\s*(?P<n>\d{{1,3}})\s*(?:(?P<back>{_BACK})\s*(?P<hour>\d{{1,2}})\s*(?:h|g|:)(?P<minute>\d{{2}})?"
    rf"|(?P<code>{_OTHER}))(?![a-z0-9])\s*[,;.]?"
)
WORDS = {
    "vi": {DoorStatus.DONE: "xong", DoorStatus.NOBODY_HOME: "vắng", DoorStatus.COME_BACK: "hẹn",
           DoorStatus.REFUSED: "từ chối"},
    "en": {DoorStatus.DONE: "done", DoorStatus.NOBODY_HOME: "nobody home",
           DoorStatus.COME_BACK: "back at", DoorStatus.REFUSED: "refused"},
}  # fmt: skip


@dataclass(frozen=True)
class DoorReply:
    number: int
    status: DoorStatus
    at: time | None = None


def parse_door_reply(text: str) -> list[DoorReply] | None:
    """The items of a door report, or None when the text is not one (then it is read as usual)."""
    folded = fold_key(text)
    items, pos = [], 0
    while pos < len(folded):
        found = ITEM.match(folded, pos)
        if found is None or found.end() == pos:
            return None
        pos = found.end()
        if found["back"] is None:
            items.append(DoorReply(int(found["n"]), CODES[found["code"]]))
            continue
        hour, minute = int(found["hour"]), int(found["minute"] or 0)
        if hour > 23 or minute > 59:
            return None
        items.append(DoorReply(int(found["n"]), DoorStatus.COME_BACK, time(hour, minute)))
    return items or None


class DoorReplies:
    """Mixed into the inbound turn, which provides these and ``reply``."""

    session: Session
    row: Message
    now: datetime
    lang: str
    reply: Callable[..., None]

    def _door_outcomes(self) -> bool:
        """Handle the message as a door report; False when it is not one for this volunteer."""
        session = self.session
        volunteer_id = self.row.volunteer_id
        items = parse_door_reply(self.row.body) if volunteer_id is not None else None
        if items is None or volunteer_id is None:
            return False
        if len(items) == 1 and items[0].number in (1, 2) and self._offer_letter_waiting(items[0]):
            return False
        visits = self._walk_list(session, volunteer_id)
        if not visits:
            return False
        day = visits[0].day
        by_number = {v.route_order: v for v in visits}
        done, unknown = [], []
        for item in items:
            visit = by_number.get(item.number)
            if visit is None:
                unknown.append(str(item.number))
                continue
            come_back = None
            if item.at is not None:
                heard = self.row.created_at.astimezone(LOCAL_TZ)
                come_day = (
                    day if local_to_utc(day, item.at) > heard else heard.date() + timedelta(days=1)
                )
                come_back = local_to_utc(come_day, item.at)
            command = campaigns.RecordOutcome(
                visit.id, item.status, come_back_at=come_back, via="sms"
            )
            campaigns.record_outcome(session, volunteer_id, command, self.now)
            word = WORDS[self.lang][item.status]
            done.append(
                f"{item.number} {word}"
                + (f" {format_clock(come_back, self.lang)}" if come_back else "")
            )
        if done:
            self.reply("door_ack", summary=", ".join(done))
        if unknown:
            self.reply("door_unknown", key="unknown", numbers=", ".join(unknown),
                       day=day_label(day, self.lang))  # fmt: skip
        return True

    def _offer_letter_waiting(self, item: DoorReply) -> bool:
        session = self.session
        letter = {DoorStatus.DONE: "X", DoorStatus.NOBODY_HOME: "V", DoorStatus.REFUSED: "T"}.get(
            item.status
        )
        if letter is None:
            return False
        waiting = session.scalar(
            select(Assignment.id).where(
                Assignment.volunteer_id == self.row.volunteer_id,
                Assignment.status == AssignmentStatus.OFFERED,
                Assignment.letter == letter,
            )
        )
        return waiting is not None

    def _walk_list(self, session: Session, volunteer_id: int) -> list[CampaignVisit]:
        """The volunteer's list of today, else of the day before (a report sent next morning)."""
        today: date = self.row.created_at.astimezone(LOCAL_TZ).date()
        for day in (today, today - timedelta(days=1)):
            visits = session.scalars(
                select(CampaignVisit)
                .where(
                    or_(
                        CampaignVisit.volunteer_id == volunteer_id,
                        CampaignVisit.partner_id == volunteer_id,
                    ),
                    CampaignVisit.day == day,
                    CampaignVisit.status != DoorStatus.DROPPED,
                )
                .order_by(CampaignVisit.route_order)
            ).all()
            if visits:
                return list(visits)
        return []
