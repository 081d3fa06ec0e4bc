"""Helpers for web tests: CSRF tokens, submitting the resident form, making visits."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dispatch.clock import utcnow
from dispatch.models import Assignment, HelpRequest
from dispatch.services import offers, overrides
from dispatch.services.unit_of_work import unit_of_work
from tests.fixtures.web import csrf_token_from


def token(client: FlaskClient, path: str) -> str:
    return csrf_token_from(client.get(path).get_data(as_text=True))


def resident_form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Nguyễn Thị Tư",
        "phone": "0912 345 678",
        "commune": "UMT",
        "hamlet": "UMT-01",
        "kind": "vneid",
        "parts": ["morning", "afternoon"],
        "note": "Nhà gần chợ",
    }
    data.update(changes)
    return data


def submit_request(client: FlaskClient, **changes: Any) -> str:
    """Submit the resident form; returns the status page path."""
    data = resident_form(**changes)
    data["csrf_token"] = token(client, "/request")
    answer = client.post("/request", data=data)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return str(answer.headers["Location"])


def the_request(app: Flask, status_path: str) -> HelpRequest:
    status_token = status_path.rsplit("/", 1)[-1]
    with app.extensions["doorstep.runtime"].sessions() as session:
        found = session.scalar(
            select(HelpRequest)
            .where(HelpRequest.status_token == status_token)
            .options(selectinload(HelpRequest.resident))
        )
        assert found is not None
        return found


def offer_to(
    app: Flask,
    request_id: int,
    volunteer_id: int,
    start: datetime | None = None,
    accept: bool = False,
) -> Assignment:
    """A coordinator's reassignment (as the service does it), optionally accepted."""
    start = start or (utcnow() + timedelta(hours=3)).replace(second=0, microsecond=0)
    with app.extensions["doorstep.runtime"].sessions() as session:
        with unit_of_work(session):
            assignment = overrides.reassign(
                session,
                overrides.ReassignRequest(
                    request_id=request_id,
                    volunteer_id=volunteer_id,
                    start_at=start,
                    actor="coordinator:test",
                    reason="test set-up",
                ),
                utcnow(),
            )
        if accept:
            with unit_of_work(session):
                assignment = offers.accept(
                    session, offers.AcceptOffer(assignment.id, "volunteer:test"), utcnow()
                )
        return assignment
