"""Who a message goes to: names and phones of the request's resident and its volunteer.

Handlers, reminders, offer digests and replies all address people the same way; keeping that
here lets them share it without importing each other.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dispatch.models import Hamlet, HelpRequest, Volunteer
from notifications.outbound import Outgoing, sms_language


def given_name(full_name: str | None) -> str:
    """What Vietnamese call a person: the last word of the full name (Nguyễn Văn An -> An)."""
    parts = (full_name or "").split()
    return parts[-1] if parts else ""


def hamlet_name(request: HelpRequest) -> str:
    """The request's hamlet, else the resident's (a request may name none)."""
    code = request.hamlet_code or request.resident.hamlet_code
    session = Session.object_session(request)
    hamlet = session.get(Hamlet, code) if code and session is not None else None
    return hamlet.name if hamlet else "?"


def to_resident(request: HelpRequest, template: str, cause: str, **values: Any) -> Outgoing:
    """An SMS to the request's resident; ``_assignment_id`` links it to a visit."""
    assignment_id = values.pop("_assignment_id", None)
    return Outgoing(
        phone=request.resident.phone,
        template=template,
        values=values,
        cause=cause,
        lang=sms_language(request.language),
        commune_code=request.commune_code,
        request_id=request.id,
        resident_id=request.resident_id,
        assignment_id=assignment_id,
    )


def to_volunteer(
    volunteer: Volunteer, request: HelpRequest | None, template: str, cause: str, **values: Any
) -> Outgoing:
    """An SMS to a volunteer about ``request``, or about several (a digest: ``None``)."""
    assignment_id = values.pop("_assignment_id", None)
    return Outgoing(
        phone=volunteer.phone,
        template=template,
        values=values,
        cause=cause,
        lang=sms_language(volunteer.languages),
        commune_code=volunteer.commune_code if request is None else request.commune_code,
        request_id=None if request is None else request.id,
        volunteer_id=volunteer.id,
        assignment_id=assignment_id,
    )
