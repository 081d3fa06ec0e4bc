"""Inbound SMS: stored first (deduplicated on the provider's id), then understood and acted on.

The row insert is the first statement of the transaction: of fifty concurrent copies of one
webhook exactly one insert wins, the others hit the unique (channel, provider_id) constraint
and do nothing. The winner's processing (a dispatch service, a dialogue turn, an opt-out)
commits together with the stored message, so a crash stores nothing and the provider's retry
starts over. Replies are Message rows; the caller enqueues their delivery after the commit.

A keyword is matched to the conversation it answers: the last offer or question we sent to
that phone, not the phone's latest request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dispatch import services
from dispatch.clock import utcnow
from dispatch.db import begin_write
from dispatch.models import (
    Assignment,
    Direction,
    HelpRequest,
    Message,
    MessageStatus,
    Resident,
    Volunteer,
)
from dispatch.services import DomainError
from dispatch.settings import Settings
from dispatch.states import AssignmentStatus, IllegalTransition, RequestStatus
from notifications.optout import set_opt_out
from notifications.outbound import Outgoing, queue_sms, sms_language
from notifications.phone import InvalidPhone, parse_phone, to_e164
from notifications.sms_dialogue import DialogueTurn
from notifications.text import nfc
from notifications.understand import understand

log = logging.getLogger(__name__)

#: Inbound statuses after "received": being handled, then handled.
HANDLING = "handling"
HANDLED = "handled"
#: A message left "handling" this long was dropped by a crash: a provider retry may take it.
RECLAIM_AFTER = timedelta(minutes=2)
#: At most this many "not understood" answers per phone per window: two automatic senders
#: answering each other would otherwise text forever.
NOT_UNDERSTOOD_LIMIT = 3
NOT_UNDERSTOOD_WINDOW = timedelta(hours=1)
CONVERSATION_TEMPLATES = ("offer", "ask_kind", "ask_hamlet", "ask_when")
A = AssignmentStatus


@dataclass(frozen=True)
class InboundSms:
    channel: str
    provider_id: str
    sender: str
    recipient: str
    body: str


@dataclass
class Received:
    duplicate: bool
    message: Message | None = None
    replies: list[Message] = field(default_factory=list)


def receive(session: Session, settings: Settings, sms: InboundSms) -> Received:
    """Store ``sms`` (committed before anything else), then act on it once.

    Returns the replies to enqueue. A copy of a message already handled, or being handled by
    a concurrent request, does nothing. A message whose handling crashed is stored anyway
    and is handled again when the provider retries the webhook (after ``RECLAIM_AFTER``).
    """
    now = utcnow()
    row = _store(session, sms, now)
    if not _claim(session, row.id, now):
        return Received(duplicate=True, message=row)
    turn = _Turn(session, settings, row, now)
    try:
        turn.act()
    except (DomainError, IllegalTransition) as error:  # e.g. the offer was just taken back
        log.info("inbound %s: %s", sms.provider_id, error)
        session.rollback()
        turn.replies.clear()
        turn.reply("not_understood")
    begin_write(session)
    row.status = HANDLED
    row.status_history = [*row.status_history, {"status": HANDLED, "at": utcnow().isoformat()}]
    session.commit()
    return Received(duplicate=False, message=row, replies=turn.replies)


def _store(session: Session, sms: InboundSms, now: datetime) -> Message:
    """The stored row of ``sms``: inserted and committed now, or the one stored before."""
    try:
        phone = to_e164(sms.sender)
    except InvalidPhone:
        phone = sms.sender[:20]
    row = Message(
        direction=Direction.INBOUND,
        channel=sms.channel,
        peer_phone=phone,
        body=nfc(sms.body),
        provider_id=sms.provider_id,
        status=MessageStatus.RECEIVED,
        status_history=[{"status": MessageStatus.RECEIVED, "at": now.isoformat()}],
        created_at=now,
    )
    begin_write(session)
    session.add(row)
    try:
        session.commit()
        return row
    except IntegrityError:
        session.rollback()
    stored = session.scalar(
        select(Message).where(
            Message.channel == sms.channel, Message.provider_id == sms.provider_id
        )
    )
    assert stored is not None  # the unique constraint just said so
    return stored


def _claim(session: Session, message_id: int, now: datetime) -> bool:
    """Take the message for handling: one caller wins, even among fifty concurrent copies."""
    begin_write(session)
    claimed = session.execute(
        update(Message)
        .where(
            Message.id == message_id,
            or_(
                Message.status == MessageStatus.RECEIVED,
                and_(Message.status == HANDLING, Message.updated_at < now - RECLAIM_AFTER),
            ),
        )
        .values(status=HANDLING, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        return False
    session.commit()
    session.expire_all()
    return True


class _Turn(DialogueTurn):
    """One inbound message being handled; collects the replies it queues."""

    def __init__(self, session: Session, settings: Settings, row: Message, now: datetime):
        self.session, self.settings, self.row, self.now = session, settings, row, now
        self.phone = row.peer_phone
        self.replies: list[Message] = []
        self.commune_code: str | None = None
        self.lang = "vi"

    def reply(self, template: str, **values: object) -> None:
        begin_write(self.session)  # a service may have committed: a new write transaction
        if template == "not_understood" and self._confused_lately():
            return  # another automatic sender, or someone stuck: stop the ping-pong
        out = Outgoing(
            phone=self.phone,
            template=template,
            values=dict(values),
            cause=f"in:{self.row.channel}:{self.row.provider_id}",
            lang=self.lang,
            commune_code=self.commune_code,
            channel=self.row.channel,
            request_id=self.row.request_id,
            assignment_id=self.row.assignment_id,
        )
        self.replies.append(queue_sms(self.session, self.settings, out))

    def _confused_lately(self) -> bool:
        since = self.now - NOT_UNDERSTOOD_WINDOW
        count = self.session.scalar(
            select(func.count())
            .select_from(Message)
            .where(
                Message.peer_phone == self.phone,
                Message.template == "not_understood",
                Message.created_at >= since,
            )
        )
        return (count or 0) >= NOT_UNDERSTOOD_LIMIT

    def act(self) -> None:
        self._who()
        heard = understand(self.session, self.row.body, self.now, self.commune_code)
        intent = heard.intent
        if intent == "stop":
            set_opt_out(self.session, self.phone, True, "keyword")
            self.reply("stop")
        elif intent == "start":
            set_opt_out(self.session, self.phone, False, "keyword")
            self.reply("start")
        elif intent == "help":
            self.reply("help")
        elif intent in ("accept", "decline"):
            self._answer_offer(intent)
        elif intent == "done":
            self._done()
        elif intent == "cancel":
            self._cancel()
        else:
            self._dialogue(heard)

    def _who(self) -> None:
        volunteer = self.session.scalar(select(Volunteer).where(Volunteer.phone == self.phone))
        resident = self.session.scalars(
            select(Resident).where(Resident.phone == self.phone).order_by(Resident.id.desc())
        ).first()
        if volunteer is not None:
            self.row.volunteer_id, self.commune_code = volunteer.id, volunteer.commune_code
            self.lang = sms_language(volunteer.languages)
        if resident is not None:
            self.row.resident_id = resident.id
            self.commune_code = self.commune_code or resident.commune_code
            self.lang = sms_language(resident.language) if volunteer is None else self.lang
        self.row.commune_code = self.commune_code

    def _last_conversation(self) -> Message | None:
        """The last offer or question we sent to this phone."""
        return self.session.scalars(
            select(Message)
            .where(
                Message.peer_phone == self.phone,
                Message.direction == Direction.OUTBOUND,
                Message.template.in_(CONVERSATION_TEMPLATES),
            )
            .order_by(Message.id.desc())
            .limit(1)
        ).first()

    def _answer_offer(self, intent: str) -> None:
        last = self._last_conversation()
        if last is None or last.template != "offer" or last.assignment_id is None:
            # "ok" / "dạ" after a confirmation is a thank-you, not a question: stay quiet.
            if intent == "decline":
                self.reply("not_understood")
            return
        assignment = self.session.get(Assignment, last.assignment_id)
        assert assignment is not None
        self.row.assignment_id, self.row.request_id = assignment.id, assignment.request_id
        values = _visit_values(assignment)
        if assignment.status is not A.OFFERED:
            # Answered already (a re-sent "1" is fine), or taken back meanwhile.
            accepted_again = assignment.status is A.ACCEPTED and intent == "accept"
            if not accepted_again:
                self.reply("offer_withdrawn", **values)
            return
        actor = f"volunteer:{assignment.volunteer_id}"
        if intent == "accept":
            services.accept(self.session, services.AcceptOffer(assignment.id, actor), self.now)
            request = assignment.request
            self.reply(
                "accept_ack",
                **values,
                resident=request.resident.name or "",
                phone=_national(request.resident.phone),
                code=assignment.visit_code,
            )
        else:
            services.decline(self.session, services.DeclineOffer(assignment.id, actor), self.now)
            self.reply("decline_ack", kind=values["kind"], when=values["when"])

    def _done(self) -> None:
        if self.row.volunteer_id is None:
            self.reply("not_understood")
            return
        live = self.session.scalars(
            select(Assignment)
            .where(
                Assignment.volunteer_id == self.row.volunteer_id,
                Assignment.status.in_([A.ACCEPTED, A.IN_PROGRESS]),
                Assignment.start_at <= self.now + timedelta(hours=2),
            )
            .order_by(Assignment.start_at.desc())
            .limit(1)
        ).first()
        if live is None:
            self.reply("not_understood")
            return
        self.row.assignment_id, self.row.request_id = live.id, live.request_id
        actor = f"volunteer:{live.volunteer_id}"
        services.complete(
            self.session, services.CompleteVisit(live.id, "resolved", actor), self.now
        )
        self.reply("done_ack", kind=live.request.kind, ref=live.request.reference)

    def _cancel(self) -> None:
        """HUY: the request the last message to this phone was about, if still open."""
        last = self.session.scalars(
            select(Message)
            .where(
                Message.peer_phone == self.phone,
                Message.direction == Direction.OUTBOUND,
                Message.request_id.is_not(None),
                Message.volunteer_id.is_(None),
            )
            .order_by(Message.id.desc())
            .limit(1)
        ).first()
        request = self.session.get(HelpRequest, last.request_id) if last else None
        if request is None or request.status in (RequestStatus.DONE, RequestStatus.CANCELLED):
            self.reply("not_understood")
            return
        self.row.request_id = request.id
        actor = f"resident:{self.phone}"
        services.cancel(self.session, services.CancelRequest(request.id, actor, "HUY"), self.now)
        # The RequestCancelled handler confirms by SMS; nothing more to say here.


def _national(phone: str) -> str:
    """0912 345 678, as a volunteer dials it."""
    try:
        return parse_phone(phone).national
    except InvalidPhone:
        return phone


def _visit_values(assignment: Assignment) -> dict[str, object]:
    from notifications.handlers import hamlet_name

    return {
        "kind": assignment.request.kind,
        "hamlet": hamlet_name(assignment.request),
        "when": assignment.start_at,
    }
