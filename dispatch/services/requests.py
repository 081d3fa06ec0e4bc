"""Resident-side commands: submit (with dedupe), cancel, reschedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.catalogue import UnknownKind, get_kind
from dispatch.clock import as_utc
from dispatch.db import lock_for_transaction
from dispatch.events import (
    AssignmentWithdrawn,
    RequestCancelled,
    RequestRescheduled,
    RequestSubmitted,
)
from dispatch.models import Assignment, Commune, Hamlet, HelpRequest, Resident
from dispatch.models.people import check_e164
from dispatch.models.requests import RequestChannel
from dispatch.services.errors import InvalidCommand, NotFound
from dispatch.services.unit import (
    assignment_refs,
    assignment_snapshot,
    audit,
    get_request,
    live_assignment,
    record_change,
    request_snapshot,
)
from dispatch.services.unit_of_work import atomic
from dispatch.services.windows import TimeWindow, fits_windows, windows_to_json
from dispatch.states import OPEN_REQUEST_STATUSES, AssignmentStatus, RequestStatus, transition

DEDUPE_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class SubmitRequest:
    phone: str  # E.164 (the caller normalises it)
    kind: str  # catalogue key
    commune_code: str
    channel: str = RequestChannel.WEB
    hamlet_code: str | None = None
    text: str = ""
    name: str | None = None
    language: str | None = None  # None: the resident's known language, else "vi"
    preferred_windows: tuple[TimeWindow, ...] = ()
    priority: int = 1
    lat: float | None = None
    lon: float | None = None
    actor: str | None = None  # default "resident:<phone>"


@dataclass(frozen=True)
class SubmitResult:
    request: HelpRequest
    created: bool  # False: an open request for the same phone and kind was returned


@dataclass(frozen=True)
class CancelRequest:
    request_id: int
    actor: str
    reason: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class RescheduleRequest:
    request_id: int
    windows: tuple[TimeWindow, ...]
    actor: str
    reason: str | None = None
    expected_version: int | None = None


def _find_duplicate(session: Session, cmd: SubmitRequest, now: datetime) -> HelpRequest | None:
    return session.scalars(
        select(HelpRequest)
        .join(Resident, HelpRequest.resident_id == Resident.id)
        .where(
            Resident.phone == cmd.phone,
            HelpRequest.kind == cmd.kind,
            HelpRequest.status.in_(OPEN_REQUEST_STATUSES),
            HelpRequest.created_at >= now - DEDUPE_WINDOW,
        )
        .order_by(HelpRequest.id.desc())
        .limit(1)
    ).first()


def _resident(session: Session, cmd: SubmitRequest, now: datetime) -> Resident:
    """The household member with this phone (and name, when given), or a new resident."""
    query = select(Resident).where(Resident.phone == cmd.phone).order_by(Resident.id.desc())
    if cmd.name:
        query = query.where(func.lower(Resident.name) == cmd.name.strip().lower())
    resident = session.scalars(query.limit(1)).first()
    if resident is None:
        resident = Resident(
            phone=cmd.phone,
            name=cmd.name.strip() if cmd.name else None,
            commune_code=cmd.commune_code,
            language=cmd.language or "vi",
            created_at=now,
        )
        session.add(resident)
    if cmd.hamlet_code:
        resident.hamlet_code = cmd.hamlet_code
    if cmd.lat is not None and cmd.lon is not None:
        resident.lat, resident.lon = cmd.lat, cmd.lon
    if cmd.language:
        resident.language = cmd.language
    session.flush()
    return resident


def _place(session: Session, cmd: SubmitRequest, resident: Resident) -> tuple[float, float]:
    """Where to go: the given point, the resident's known place, the hamlet or commune centre."""
    if cmd.lat is not None and cmd.lon is not None:
        return cmd.lat, cmd.lon
    if resident.lat is not None and resident.lon is not None:
        return resident.lat, resident.lon
    if cmd.hamlet_code:
        hamlet = session.get(Hamlet, cmd.hamlet_code)
        if hamlet is None or hamlet.commune_code != cmd.commune_code:
            raise InvalidCommand(f"hamlet {cmd.hamlet_code} is not in commune {cmd.commune_code}")
        return hamlet.lat, hamlet.lon
    commune = session.get(Commune, cmd.commune_code)
    assert commune is not None
    return commune.lat, commune.lon


def submit(session: Session, cmd: SubmitRequest, now: datetime) -> SubmitResult:
    """Store a new request and its RequestSubmitted event, or return the open duplicate."""
    now = as_utc(now)
    try:
        kind = get_kind(cmd.kind)
    except UnknownKind:
        raise InvalidCommand(f"unknown kind of help: {cmd.kind!r}") from None
    try:
        check_e164(cmd.phone)
    except ValueError as exc:
        raise InvalidCommand(str(exc)) from None
    if not 1 <= cmd.priority <= 100:
        raise InvalidCommand("priority must be 1..100")
    actor = cmd.actor or f"resident:{cmd.phone}"
    with atomic(session):
        if session.get(Commune, cmd.commune_code) is None:
            raise NotFound("commune", cmd.commune_code)
        windows = windows_to_json(cmd.preferred_windows)
        # Two identical submits at once must not both pass the dedupe check.
        lock_for_transaction(session, f"submit:{cmd.phone}")
        existing = _find_duplicate(session, cmd, now)
        if existing is not None:
            audit(
                session,
                actor=actor,
                action="request.duplicate",
                entity=existing,
                before=None,
                after={"text": cmd.text, "channel": cmd.channel},
                at=now,
                reason="same phone and kind still open within 24 h",
            )
            return SubmitResult(existing, created=False)
        resident = _resident(session, cmd, now)
        lat, lon = _place(session, cmd, resident)
        req = HelpRequest(
            resident_id=resident.id,
            commune_code=cmd.commune_code,
            hamlet_code=cmd.hamlet_code or resident.hamlet_code,
            kind=kind.key,
            channel=cmd.channel,
            text=cmd.text,
            preferred_windows=windows,
            priority=cmd.priority,
            status=RequestStatus.OPEN,
            lat=lat,
            lon=lon,
            language=resident.language,
            created_at=now,
            updated_at=now,
        )
        session.add(req)
        session.flush()
        submitted = RequestSubmitted(
            commune_code=req.commune_code,
            request_id=req.id,
            resident_id=resident.id,
            kind=req.kind,
            channel=req.channel,
            reference=req.reference,
        )
        record_change(
            session, req, submitted, actor=actor, action="request.submit", before=None, at=now
        )
    return SubmitResult(req, created=True)


def withdraw_live(
    session: Session, req: HelpRequest, *, by: str, reason: str | None, now: datetime
) -> Assignment | None:
    """Withdraw the request's live assignment, if any, with its event and audit row."""
    live = live_assignment(session, req)
    if live is None:
        return None
    before = assignment_snapshot(live)
    previous = live.status
    live.status = transition(live.status, AssignmentStatus.WITHDRAWN)
    live.updated_at = now
    withdrawn = AssignmentWithdrawn(
        **assignment_refs(live), previous_status=str(previous), by=by, reason=reason
    )
    record_change(
        session,
        live,
        withdrawn,
        actor=by,
        action="assignment.withdraw",
        before=before,
        at=now,
        reason=reason,
    )
    return live


def cancel(session: Session, cmd: CancelRequest, now: datetime) -> HelpRequest:
    now = as_utc(now)
    with atomic(session):
        req = get_request(session, cmd.request_id, cmd.expected_version)
        before = request_snapshot(req)
        req.status = transition(req.status, RequestStatus.CANCELLED)
        live = live_assignment(session, req)
        volunteer_id = live.volunteer_id if live else None
        if live is not None:
            # The volunteer hears it from RequestCancelled; no separate withdrawal notice.
            live.status = transition(live.status, AssignmentStatus.WITHDRAWN)
            live.updated_at = now
        req.closed_reason = cmd.reason
        req.updated_at = now
        cancelled = RequestCancelled(
            commune_code=req.commune_code,
            request_id=req.id,
            by=cmd.actor,
            reason=cmd.reason,
            assignment_id=live.id if live else None,
            volunteer_id=volunteer_id,
        )
        record_change(
            session,
            req,
            cancelled,
            actor=cmd.actor,
            action="request.cancel",
            before=before,
            at=now,
            reason=cmd.reason,
        )
    return req


def reschedule(session: Session, cmd: RescheduleRequest, now: datetime) -> HelpRequest:
    """New preferred windows; a live visit that no longer fits them is withdrawn."""
    now = as_utc(now)
    with atomic(session):
        req = get_request(session, cmd.request_id, cmd.expected_version)
        if req.status not in (RequestStatus.OPEN, RequestStatus.OFFERED, RequestStatus.SCHEDULED):
            raise InvalidCommand(f"a request that is {req.status} cannot be rescheduled")
        before = request_snapshot(req)
        windows = windows_to_json(cmd.windows)
        req.preferred_windows = windows
        req.updated_at = now
        live = live_assignment(session, req)
        if live is not None and not fits_windows(list(cmd.windows), live.start_at, live.end_at):
            withdraw_live(session, req, by=cmd.actor, reason="rescheduled by resident", now=now)
            req.status = transition(req.status, RequestStatus.OPEN)
        record_change(
            session,
            req,
            RequestRescheduled(commune_code=req.commune_code, request_id=req.id, windows=windows),
            actor=cmd.actor,
            action="request.reschedule",
            before=before,
            at=now,
            reason=cmd.reason,
        )
    return req
