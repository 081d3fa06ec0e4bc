"""The queue: every request of the coordinator's communes, with filters, counts, live refresh."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import g, jsonify, render_template, request
from flask_babel import format_timedelta
from sqlalchemy import select
from werkzeug.wrappers import Response

from dispatch.catalogue import KINDS
from dispatch.clock import utcnow
from dispatch.models import Commune, Hamlet
from dispatch.services.queue_queries import AGE_FILTERS, QueueFilters, queue
from dispatch.states import RequestStatus
from web.coordinator.auth import coordinator_required
from web.coordinator.blueprint import bp
from web.extensions import db
from web.i18n import local_time


def _filters() -> QueueFilters:
    args = request.args
    status = args.get("status") or None
    if status not in {s.value for s in RequestStatus}:
        status = None
    return QueueFilters(
        commune=args.get("commune") or None,
        hamlet=args.get("hamlet") or None,
        kind=args.get("kind") or None,
        status=status,
        age=args.get("age") if args.get("age") in AGE_FILTERS else None,
        channel=args.get("channel") or None,
    )


def age_text(age: timedelta) -> str:
    return format_timedelta(age, granularity="minute", threshold=1.5)


def _context() -> dict[str, Any]:
    filters = _filters()
    session = db()
    page = queue(session, g.communes, filters, utcnow())
    hamlets = list(
        session.scalars(
            select(Hamlet).where(Hamlet.commune_code.in_(g.communes)).order_by(Hamlet.name)
        )
    )
    communes = list(
        session.scalars(select(Commune).where(Commune.code.in_(g.communes)).order_by(Commune.name))
    )
    return {
        "page": page,
        "filters": filters,
        "communes": communes,
        "hamlets": hamlets,
        "hamlet_names": {h.code: h.name for h in hamlets},
        "kinds": KINDS,
        "statuses": [s.value for s in RequestStatus],
        "ages": list(AGE_FILTERS),
        "age_text": age_text,
    }


@bp.get("/")
@coordinator_required
def queue_page() -> str:
    return render_template("coordinator/queue.html", **_context())


@bp.get("/queue.json")
@coordinator_required
def queue_json() -> Response:
    context = _context()
    page = context["page"]
    return jsonify(
        html=render_template("coordinator/_queue_table.html", **context),
        counts=page.counts,
        total=page.total,
        ids=[row.request.id for row in page.rows],
        updated=local_time(utcnow(), "time"),
    )
