"""/api/v1: bearer-token auth, submit a request, read its status, list a commune's visits.

JSON in, JSON out; every error is ``{"error": ..., "fields": {...}}`` with the status code the
OpenAPI document names. The API never reads the session cookie (it is CSRF-exempt for that
reason), and each token is rate limited. A token limited to some communes sees the others'
requests and visits as if they did not exist.
"""

from __future__ import annotations

import hmac
from datetime import date, datetime
from typing import Any

from flask import current_app, g, jsonify, request, url_for
from pydantic import ValidationError
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from dispatch.clock import to_local, utcnow
from dispatch.models import Assignment, Commune, Hamlet, HelpRequest
from dispatch.services import requests as request_service
from dispatch.services.errors import DomainError
from dispatch.services.panel_queries import commune_assignments
from dispatch.services.unit_of_work import unit_of_work
from dispatch.services.windows import TimeWindow
from dispatch.settings import ApiPartner
from notifications.recipients import given_name
from web.api import schemas
from web.api.blueprint import bp
from web.api.openapi import document
from web.errors import status_of
from web.extensions import db
from web.ratelimit import enforce

CALLS_PER_TOKEN_PER_MINUTE = 120
PUBLIC_ENDPOINTS = {"api.openapi"}


class ApiError(Exception):
    def __init__(self, status: int, error: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.fields = status, error, fields or {}


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> tuple[Response, int]:
    body: dict[str, Any] = {"error": error.error}
    if error.fields:
        body["fields"] = error.fields
    return jsonify(body), error.status


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError) -> tuple[Response, int]:
    db().rollback()
    return _api_error(ApiError(status_of(error), str(error)))


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> tuple[Response, int]:
    return jsonify(error=error.name), error.code or 500


def _partner() -> ApiPartner | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    found = None
    for known, partner in current_app.config.get("API_TOKENS", {}).items():
        if hmac.compare_digest(known.encode(), token.strip().encode()):
            found = partner
    return found


@bp.before_request
def _authenticate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    partner = _partner()
    if partner is None:
        raise ApiError(401, "missing or wrong bearer token")
    g.partner = partner
    enforce("api-token", partner.name, CALLS_PER_TOKEN_PER_MINUTE, 60)


def _visible(commune_code: str) -> bool:
    """Whether the calling token may touch this commune."""
    partner: ApiPartner = g.partner
    return partner.can_see(commune_code)


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document())


def _iso(value: datetime) -> str:
    return to_local(value).isoformat(timespec="seconds")


def _request_json(req: HelpRequest, duplicate: bool | None = None) -> dict[str, Any]:
    live = req.live_assignment()
    visit = None
    if live is not None:
        visit = {
            "start": _iso(live.start_at),
            "end": _iso(live.end_at),
            "volunteer_first_name": given_name(live.volunteer.name),
            "status": str(live.status),
        }
    body: dict[str, Any] = {
        "reference": req.reference,
        "status": str(req.status),
        "kind": req.kind,
        "commune": req.commune_code,
        "hamlet": req.hamlet_code,
        "created_at": _iso(req.created_at),
        "visit": visit,
        # The address residents reach (public URL), not whatever host the partner called.
        "status_url": current_app.config["DOORSTEP_SETTINGS"].public_url
        + url_for("resident.status", token=req.status_token),
    }
    if duplicate is not None:
        body["duplicate"] = duplicate
    return body


def _lookups() -> schemas.Lookups:
    def hamlet_commune(code: str) -> str | None:
        found = db().get(Hamlet, code)
        return None if found is None else found.commune_code

    return schemas.Lookups(
        commune_visible=lambda code: _visible(code) and db().get(Commune, code) is not None,
        hamlet_commune=hamlet_commune,
    )


def _parse_submit() -> request_service.SubmitRequest:
    if not request.is_json:
        raise ApiError(400, schemas.BODY_NOT_AN_OBJECT)
    try:
        body = schemas.NewRequest.model_validate_json(request.get_data(), context=_lookups())
    except ValidationError as error:
        raise ApiError(400, *schemas.named_fields(error)) from None
    return request_service.SubmitRequest(
        phone=body.phone,
        kind=str(body.kind),
        commune_code=body.commune,
        channel="api",
        hamlet_code=body.hamlet or None,
        text=body.note or "",
        name=body.name or None,
        language=body.language,
        preferred_windows=tuple(TimeWindow(w.start, w.end) for w in body.windows or ()),
        actor=f"partner:{g.partner.name}",
    )


@bp.post("/requests")
def submit() -> tuple[Response, int]:
    command = _parse_submit()
    with unit_of_work(db()):
        result = request_service.submit(db(), command, utcnow())
    if not _visible(result.request.commune_code):
        # Dedupe is per phone and kind; never hand out another commune's request.
        raise ApiError(400, "this phone already has an open request of this kind elsewhere")
    body = _request_json(result.request, duplicate=not result.created)
    return jsonify(body), 201 if result.created else 200


@bp.get("/requests/<reference>")
def read(reference: str) -> Response:
    req = db().scalar(select(HelpRequest).where(HelpRequest.reference == reference.upper()))
    if req is None or not _visible(req.commune_code):
        raise ApiError(404, "no such request")
    return jsonify(_request_json(req))


def _assignment_json(a: Assignment) -> dict[str, Any]:
    return {
        "reference": a.request.reference,
        "kind": a.request.kind,
        "hamlet": a.request.hamlet_code,
        "start": _iso(a.start_at),
        "end": _iso(a.end_at),
        "status": str(a.status),
        "volunteer_first_name": given_name(a.volunteer.name),
    }


@bp.get("/communes/<code>/assignments")
def assignments(code: str) -> Response:
    if not _visible(code) or db().get(Commune, code) is None:
        raise ApiError(404, "no such commune")
    raw_day = request.args.get("date")
    try:
        day = date.fromisoformat(raw_day) if raw_day else to_local(utcnow()).date()
    except ValueError:
        raise ApiError(400, "date must be YYYY-MM-DD", {"date": "not a date"}) from None
    rows = commune_assignments(db(), code, day)
    return jsonify(
        commune=code, date=day.isoformat(), assignments=[_assignment_json(a) for a in rows]
    )
