"""Queue an outgoing SMS: the Message row with our own id, written in the caller's transaction.

The delivery job is enqueued only after that transaction commits (``enqueue_delivery``), so a
worker never looks for a row that is not there yet. Our id is derived from what caused the
message (an event, an inbound SMS, a reminder slot), so a handler that runs twice finds its
row instead of writing a second one: the unique ``our_id`` column makes that hold even under
a race.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rq import Retry
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.clock import utcnow
from dispatch.models import ChannelKind, Commune, Direction, Message, MessageStatus
from dispatch.queues import Queues
from dispatch.settings import Settings
from notifications.optout import is_opted_out
from notifications.phone import InvalidPhone, parse_phone
from notifications.policy import quiet_hours_end
from notifications.routing import first_channel
from notifications.segments import count_segments
from notifications.templates import render
from notifications.zalo_templates import template_data

_SPACES = re.compile(r" {2,}")
DELIVER_JOB = "notifications.delivery.deliver"
# A delivery job that crashed (a database busy for too long) runs again soon: before its claim
# it simply starts over, after it the attempt counter makes the re-run a no-op.
DELIVERY_JOB_OPTIONS: dict[str, Any] = {
    "result_ttl": 3600,
    "failure_ttl": 7 * 86400,
    "retry": Retry(max=3, interval=[1, 5, 30]),
}

#: Answers to something the person just texted, and the acknowledgement of a request they
#: just made, go out at once even in quiet hours; everything else waits for the morning.
URGENT_TEMPLATES = frozenset(
    {
        "request_received",
        "help",
        "stop",
        "start",
        "not_understood",
        "ask_hamlet",
        "ask_kind",
        "ask_when",
        "accept_ack",
        "decline_ack",
        "decline_all_ack",
        "done_ack",
        "offer_choice",
        "done_choice",
        "proposal_accepted_ack",
        "proposal_refused_ack",
        "when_past",
        "sign_in_code",
    }
)
#: The answer to STOP itself is the one message a number that just opted out still gets.
SENT_DESPITE_OPT_OUT = frozenset({"stop"})


@dataclass(frozen=True)
class Outgoing:
    phone: str
    template: str
    values: dict[str, Any]
    cause: str  # what made us send it: "ev:12", "in:SM123", "reminder:evening:7"...
    lang: str = "vi"
    commune_code: str | None = None
    request_id: int | None = None
    assignment_id: int | None = None
    volunteer_id: int | None = None
    resident_id: int | None = None
    channel: str | None = None  # a reply goes back the way the question came
    urgent: bool | None = None  # None: by template (URGENT_TEMPLATES)
    listed: list[int] | None = None  # assignments the message lists (digest, question)
    extra: dict[str, Any] = field(default_factory=dict)


def is_urgent(out: Outgoing) -> bool:
    return out.template in URGENT_TEMPLATES if out.urgent is None else out.urgent


def sent_at_night(message: Message) -> bool:
    """Whether quiet hours let this message through (decided when it was queued)."""
    first = message.status_history[0] if message.status_history else {}
    return bool(first.get("urgent", message.template in URGENT_TEMPLATES))


def message_our_id(cause: str, template: str, phone: str) -> str:
    return hashlib.sha256(f"{cause}|{template}|{phone}".encode()).hexdigest()[:32]


def sms_language(languages: Iterable[str] | str | None) -> str:
    """Templates exist in Vietnamese and English; anyone else reads Vietnamese."""
    if isinstance(languages, str):
        languages = [languages]
    langs = list(languages or [])
    return "en" if "en" in langs and "vi" not in langs else "vi"


def _history(status: str, at: datetime, **extra: Any) -> dict[str, Any]:
    return {"status": status, "at": at.isoformat(), **{k: v for k, v in extra.items() if v}}


def queue_sms(session: Session, settings: Settings, out: Outgoing) -> Message:
    """Add (or find) the Message for ``out``. The caller's unit of work commits it, then
    ``enqueue_delivery``.

    A number that cannot receive SMS or that opted out gets a failed row with the reason as
    its error code, so a coordinator sees why nobody was told.
    """
    our_id = message_our_id(out.cause, out.template, out.phone)
    existing = session.scalar(select(Message).where(Message.our_id == our_id))
    if existing is not None:
        return existing
    now = utcnow()
    commune = session.get(Commune, out.commune_code) if out.commune_code else None
    body = sms_body(session, out)
    info = count_segments(body)
    channel = out.channel or first_channel(settings, commune, out.template, out.lang, out.phone)
    message = Message(
        our_id=our_id,
        direction=Direction.OUTBOUND,
        channel=channel,
        peer_phone=out.phone,
        body=body,
        segments=info.segments,
        encoding=str(info.encoding),
        template=out.template,
        status=MessageStatus.QUEUED,
        commune_code=out.commune_code,
        request_id=out.request_id,
        assignment_id=out.assignment_id,
        volunteer_id=out.volunteer_id,
        resident_id=out.resident_id,
        listed=out.listed,
        attempts=0,
        created_at=now,
    )
    if channel == ChannelKind.ZALO:
        # ZNS is paid per message, not per segment; ``body`` stays the SMS text a fallback
        # sends, and the person reads the ZNS template filled with these values.
        message.template_data = template_data(out.template, out.values)
        message.segments, message.encoding = 0, "ZNS"
    refusal = _refusal(session, out)
    if refusal is not None:
        code, detail = refusal
        message.status = MessageStatus.FAILED
        message.error_code = code
        message.status_history = [
            _history(MessageStatus.FAILED, now, error_code=code, detail=detail)
        ]
    else:
        urgent = is_urgent(out)
        if not urgent:
            later = quiet_hours_end(now, settings.quiet_hours, settings.timezone)
            message.send_after = later if later > now else None
        message.status_history = [_history(MessageStatus.QUEUED, now, urgent=urgent)]
    session.add(message)
    session.flush()
    return message


def sms_body(session: Session, out: Outgoing) -> str:
    """The text ``out`` is sent as: its template in the commune's mode (diacritics folded or
    not), without the double spaces an empty value leaves (never pay for them)."""
    commune = session.get(Commune, out.commune_code) if out.commune_code else None
    rendered = render(
        out.template, out.lang, fold=bool(commune and commune.fold_diacritics), **out.values
    )
    return _SPACES.sub(" ", rendered.body).strip()


def segments_of(session: Session, out: Outgoing) -> int:
    return count_segments(sms_body(session, out)).segments


def _refusal(session: Session, out: Outgoing) -> tuple[str, str] | None:
    """(error code, explanation for the coordinator) when this number must not get SMS."""
    try:
        phone = parse_phone(out.phone)
    except InvalidPhone as error:
        return error.reason[:16], str(error)
    if out.template not in SENT_DESPITE_OPT_OUT and is_opted_out(session, phone.e164):
        return "opted_out", f"{phone.national} sent STOP; START turns messages back on"
    return None


def enqueue_delivery(queues: Queues, messages: Iterable[Message]) -> None:
    """Hand committed, still-queued messages to the ``messages`` queue (or schedule them)."""
    for message in messages:
        if message.direction != Direction.OUTBOUND or message.status != MessageStatus.QUEUED:
            continue
        job_id = delivery_job_id(message.our_id, message.attempts + 1)
        options: dict[str, Any] = {"job_id": job_id, **DELIVERY_JOB_OPTIONS}
        if message.send_after is not None and message.send_after > utcnow():
            queues.messages.enqueue_at(
                message.send_after, DELIVER_JOB, message.our_id, message.attempts + 1, **options
            )
        else:
            queues.messages.enqueue_call(
                DELIVER_JOB, args=(message.our_id, message.attempts + 1), **options
            )


def delivery_job_id(our_id: str, attempt: int) -> str:
    return f"sms-{our_id}-{attempt}"
