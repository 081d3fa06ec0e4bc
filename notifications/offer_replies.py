"""A volunteer's "1", "2" and "XONG", with or without letters, matched to the visits meant.

- A letter names the visit: "1B" accepts B, "2C" declines C, "XONG B" closes B, whatever came
  since. The answer repeats the letter and what it was.
- A bare "1" or "2" answering a digest (the last offer message listed several) takes every
  offer listed there, as the digest said; with one offer waiting it takes that one; with
  several waiting and no digest last, it asks which, listing them by letter.
- A bare "XONG" closes the one visit under way (started, or starting within two hours);
  with several, it asks which.

A reply never takes a visit without saying which one it took.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch import services
from dispatch.models import Assignment, Direction, Message
from dispatch.states import LIVE_ASSIGNMENT_STATUSES, AssignmentStatus
from notifications.offer_texts import MAX_SEGMENTS, listing
from notifications.phone import InvalidPhone, parse_phone
from notifications.recipients import hamlet_name

A = AssignmentStatus
#: A bare XONG closes a visit that started, or starts within this time.
DONE_AHEAD = timedelta(hours=2)
OFFER_TEMPLATES = ("offer", "offer_digest", "offer_choice")


class OfferReplies:
    """Mixed into the inbound turn, which provides these, ``reply`` and ``segments``."""

    session: Session
    row: Message
    now: datetime
    phone: str
    lang: str
    reply: Callable[..., None]
    segments: Callable[[str, dict[str, object]], int]
    _last_conversation: Callable[[], Message | None]

    # -- 1 and 2 ------------------------------------------------------------------------------

    def _answer_offers(self, intent: str, codes: Sequence[str]) -> None:
        if codes:
            self._by_letter(intent, codes)
            return
        pending = self._visits((A.OFFERED,))
        last = self._last_conversation()
        if last is not None and last.template == "offer_digest" and last.listed:
            listed = [a for a in (self.session.get(Assignment, i) for i in last.listed) if a]
            waiting = [a for a in listed if a.status is A.OFFERED]
            if waiting:
                self._apply(intent, waiting)
            else:
                self._settled(intent, listed[-1])
        elif len(pending) == 1:
            self._apply(intent, pending)
        elif pending:
            self._ask_which("offer_choice", pending)
        else:
            self._settled(intent, self._last_offered())

    def _by_letter(self, intent: str, codes: Sequence[str]) -> None:
        statuses = (A.OFFERED, A.ACCEPTED) if intent != "done" else (A.ACCEPTED, A.IN_PROGRESS)
        live = {a.letter: a for a in self._visits(tuple(LIVE_ASSIGNMENT_STATUSES))}
        named = [live.get(code) for code in codes]
        found = [a for a in named if a is not None and a.status in statuses]
        if len(found) == len(codes):
            if intent == "done":
                self._complete(found)
            else:
                self._apply(intent, found)
            return
        gone = self._gone(codes[0]) if not found and codes[0] not in live else None
        if gone is not None:
            self._settled(intent, gone)  # over or taken back since: say so
            return
        choices = self._visits((A.ACCEPTED, A.IN_PROGRESS) if intent == "done" else (A.OFFERED,))
        if choices:
            self._ask_which("done_choice" if intent == "done" else "offer_choice", choices)
        else:
            self.reply("not_understood")

    def _apply(self, intent: str, targets: Sequence[Assignment]) -> None:
        self._link(targets[0])
        actor = f"volunteer:{targets[0].volunteer_id}"
        if intent == "accept":
            for a in targets:
                if a.status is A.ACCEPTED:
                    continue  # "1B" again: taken already, nothing new to say
                services.accept(self.session, services.AcceptOffer(a.id, actor), self.now)
                request = a.request
                resident = request.resident
                self.reply(
                    "accept_ack", key=f"a{a.id}", **_values(a), resident=resident.name or "",
                    phone=_national(resident.phone), code=a.visit_code,
                )  # fmt: skip
            return
        for a in targets:
            services.decline(self.session, services.DeclineOffer(a.id, actor), self.now)
        if len(targets) == 1:
            values = _values(targets[0])
            self.reply("decline_ack", letter=values["letter"], kind=values["kind"],
                       when=values["when"])  # fmt: skip
        else:
            letters = ", ".join(a.letter or "?" for a in targets)
            self.reply("decline_all_ack", count=len(targets), letters=letters)

    def _settled(self, intent: str, assignment: Assignment | None) -> None:
        """Nothing left to answer: a re-sent "1" is fine, anything else is told the news."""
        if assignment is None:
            if intent == "decline":
                self.reply("not_understood")
            return  # "ok" / "dạ" after a confirmation is a thank-you: stay quiet
        self._link(assignment)
        repeated = (intent == "accept" and assignment.status in (A.ACCEPTED, A.IN_PROGRESS)) or (
            intent == "done" and assignment.status is A.DONE
        )
        if not repeated:
            self.reply("offer_withdrawn", **_values(assignment))

    # -- XONG ---------------------------------------------------------------------------------

    def _done(self, codes: Sequence[str]) -> None:
        if self.row.volunteer_id is None:
            self.reply("not_understood")
            return
        if codes:
            self._by_letter("done", codes)
            return
        due = [
            a
            for a in self._visits((A.ACCEPTED, A.IN_PROGRESS))
            if a.start_at <= self.now + DONE_AHEAD
        ]
        if len(due) == 1:
            self._complete(due)
        elif due:
            self._ask_which("done_choice", due)
        else:
            self.reply("not_understood")

    def _complete(self, targets: Sequence[Assignment]) -> None:
        self._link(targets[0])
        for a in targets:
            actor = f"volunteer:{a.volunteer_id}"
            services.complete(
                self.session, services.CompleteVisit(a.id, "resolved", actor), self.now
            )
            self.reply("done_ack", key=f"a{a.id}", letter=a.letter or "", kind=a.request.kind,
                       ref=a.request.reference)  # fmt: skip

    # -- lookups ------------------------------------------------------------------------------

    def _ask_which(self, template: str, choices: list[Assignment]) -> None:
        values = listing(
            choices,
            lambda a: hamlet_name(a.request),
            self.lang,
            lambda v: self.segments(template, v) <= MAX_SEGMENTS,
        )
        assert values is not None  # bare letters always fit
        self.reply(template, listed=[a.id for a in choices], **values)

    def _visits(self, statuses: tuple[AssignmentStatus, ...]) -> list[Assignment]:
        return list(
            self.session.scalars(
                select(Assignment)
                .where(
                    Assignment.volunteer_id == self.row.volunteer_id,
                    Assignment.status.in_(statuses),
                )
                .order_by(Assignment.letter, Assignment.id)
            )
        )

    def _gone(self, letter: str) -> Assignment | None:
        """The volunteer's latest visit with ``letter`` that is over or taken back."""
        return self.session.scalars(
            select(Assignment)
            .where(Assignment.volunteer_id == self.row.volunteer_id, Assignment.letter == letter)
            .order_by(Assignment.id.desc())
            .limit(1)
        ).first()

    def _last_offered(self) -> Assignment | None:
        """The visit of the last single offer sent to this phone, if any."""
        message = self.session.scalars(
            select(Message)
            .where(
                Message.peer_phone == self.phone,
                Message.direction == Direction.OUTBOUND,
                Message.template == "offer",
                Message.assignment_id.is_not(None),
            )
            .order_by(Message.id.desc())
            .limit(1)
        ).first()
        return self.session.get(Assignment, message.assignment_id) if message else None

    def _link(self, assignment: Assignment) -> None:
        self.row.assignment_id, self.row.request_id = assignment.id, assignment.request_id


def _national(phone: str) -> str:
    """0912 345 678, as a volunteer dials it."""
    try:
        return parse_phone(phone).national
    except InvalidPhone:
        return phone


def _values(assignment: Assignment) -> dict[str, object]:
    return {
        "letter": assignment.letter or "",
        "kind": assignment.request.kind,
        "hamlet": hamlet_name(assignment.request),
        "when": assignment.start_at,
    }
