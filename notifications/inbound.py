"""Inbound SMS in two steps, each one commit, so a crash between them loses nothing.

1. Store and claim: the row is inserted already claimed ("handling"), deduplicated on the
   provider's id (channel, provider_id unique). Of fifty concurrent copies of one webhook
   exactly one insert wins; the others find the row and do nothing.
2. Act, queue the replies and mark the message handled, in ONE unit of work: the services it
   calls run in it (savepoints), and the replies are Message rows of the same commit, handed
   to the delivery queue after it (the delivery sweep sends any whose job was lost).

A crash between the steps (or in step 2) leaves the message "handling" with nothing of step 2
written: after ``RECLAIM_AFTER`` a provider retry of the webhook, or the worker's sweep
(``sweep_unhandled``), claims it again and does step 2 once. A message that keeps failing is
given up after ``MAX_TRIES`` and marked failed, for a coordinator to see.

A keyword is matched to the conversation it answers: the last offer or question we sent to
that phone, not the phone's latest request; a volunteer's letters ("1B", "XONG B") name the
visit outright (``notifications.offer_replies``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dispatch.clock import utcnow
from dispatch.models import Direction, Message, MessageStatus
from dispatch.runtime import Runtime
from dispatch.services import DomainError, unit_of_work
from dispatch.settings import Settings
from dispatch.states import IllegalTransition
from notifications.inbound_turn import InboundTurn
from notifications.outbound import enqueue_delivery
from notifications.phone import InvalidPhone, to_e164
from notifications.text import nfc

log = logging.getLogger(__name__)

#: Inbound statuses after "received": being handled, then handled (or given up: "failed").
HANDLING = "handling"
HANDLED = "handled"
#: A message left "handling" this long was dropped by a crash: a retry or the sweep takes it.
RECLAIM_AFTER = timedelta(minutes=2)
MAX_TRIES = 5


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
    """Store and claim ``sms`` (step 1), then act on it (step 2); returns the replies to
    enqueue. A copy of a message handled, or being handled, does nothing."""
    now = utcnow()
    row, claimed = store_and_claim(session, sms, now)
    if not claimed:
        return Received(duplicate=True, message=row)
    if row.attempts > MAX_TRIES:
        _give_up(session, row)
        return Received(duplicate=False, message=row)
    return Received(duplicate=False, message=row, replies=handle(session, settings, row))


def store_and_claim(session: Session, sms: InboundSms, now: datetime) -> tuple[Message, bool]:
    """Step 1, one commit: insert the message claimed for handling. A copy finds the stored
    row, and claims it only when its handling was dropped (``RECLAIM_AFTER``)."""
    try:
        phone = to_e164(sms.sender)
    except InvalidPhone:
        phone = sms.sender[:20]
    history = [{"status": s, "at": now.isoformat()} for s in (MessageStatus.RECEIVED, HANDLING)]
    row = Message(
        direction=Direction.INBOUND,
        channel=sms.channel,
        peer_phone=phone,
        body=nfc(sms.body),
        provider_id=sms.provider_id,
        status=HANDLING,
        status_history=history,
        attempts=1,
        created_at=now,
        updated_at=now,
    )
    try:
        with unit_of_work(session):
            session.add(row)
        return row, True
    except IntegrityError:
        pass  # rolled back: a copy is stored already
    stored = session.scalar(
        select(Message).where(
            Message.channel == sms.channel, Message.provider_id == sms.provider_id
        )
    )
    assert stored is not None  # the unique constraint just said so
    return stored, _reclaim(session, stored.id, now)


def _reclaim(session: Session, message_id: int, now: datetime) -> bool:
    """Claim a stored message whose handling was dropped: one caller wins."""
    with unit_of_work(session):
        claimed = session.execute(
            update(Message)
            .where(
                Message.id == message_id,
                or_(
                    Message.status == MessageStatus.RECEIVED,
                    and_(Message.status == HANDLING, Message.updated_at < now - RECLAIM_AFTER),
                ),
            )
            .values(status=HANDLING, updated_at=now, attempts=Message.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        won = claimed.rowcount == 1  # type: ignore[attr-defined]
    if won:
        session.expire_all()
    return won


def handle(session: Session, settings: Settings, row: Message) -> list[Message]:
    """Step 2, one commit: act on the claimed message, queue its replies, mark it handled.

    A domain refusal (the offer was just taken back) rolls the step back and answers "not
    understood" instead, in one commit too. Anything else raises with nothing written; the
    message stays claimed until a retry or the sweep takes it again.
    """
    turn = InboundTurn(session, settings, row, utcnow())
    try:
        with unit_of_work(session):
            _hold(session, row)
            turn.act()
            _mark(row, HANDLED)
        return turn.replies
    except _AlreadyHandled:
        return []
    except (DomainError, IllegalTransition) as error:
        log.info("inbound %s: %s", row.provider_id, error)
    turn = InboundTurn(session, settings, row, utcnow())
    try:
        with unit_of_work(session):
            _hold(session, row)
            turn.who()
            turn.reply("not_understood")
            _mark(row, HANDLED)
    except _AlreadyHandled:
        return []
    return turn.replies


class _AlreadyHandled(Exception):
    """Another worker handled this message first: this attempt rolls back."""


def _hold(session: Session, row: Message) -> None:
    """The conditional claim that opens step 2: only while the row is still "handling" (on
    PostgreSQL the row lock makes a concurrent second attempt wait, then find it handled)."""
    held = session.execute(
        update(Message)
        .where(Message.id == row.id, Message.status == HANDLING)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if held.rowcount != 1:  # type: ignore[attr-defined]
        log.info("inbound %s: handled by another worker meanwhile", row.provider_id)
        raise _AlreadyHandled(row.id)


def _mark(row: Message, status: str) -> None:
    row.status = status
    row.status_history = [*row.status_history, {"status": status, "at": utcnow().isoformat()}]


def sweep_unhandled(runtime: Runtime) -> int:
    """Handle inbound messages whose handling was dropped (a killed web process) and no
    provider retried: the acknowledgement still goes out, once. Returns how many."""
    done = 0
    cutoff = utcnow() - RECLAIM_AFTER
    with runtime.sessions() as session:
        stuck = list(
            session.scalars(
                select(Message.id)
                .where(
                    Message.direction == Direction.INBOUND,
                    Message.status.in_([HANDLING, MessageStatus.RECEIVED]),
                    Message.updated_at < cutoff,
                )
                .order_by(Message.id)
                .limit(100)
            )
        )
        for message_id in stuck:
            row = session.get(Message, message_id)
            if row is None or not _reclaim(session, message_id, utcnow()):
                continue
            if row.attempts > MAX_TRIES:
                _give_up(session, row)
                continue
            enqueue_delivery(runtime.queues, handle(session, runtime.settings, row))
            done += 1
    return done


def reclaim_stale(session: Session, message_id: int, now: datetime) -> bool:
    """Claim a stored message whose handling was dropped (``RECLAIM_AFTER``): one caller wins."""
    return _reclaim(session, message_id, now)


def give_up(session: Session, row: Message) -> None:
    _give_up(session, row)


def _give_up(session: Session, row: Message) -> None:
    log.error("inbound %s failed %s times; given up", row.provider_id, row.attempts - 1)
    with unit_of_work(session):
        _mark(row, MessageStatus.FAILED)
        row.error_code = "gave-up"
