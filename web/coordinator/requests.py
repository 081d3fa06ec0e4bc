"""The request page and the coordinator's overrides: reassign, lock/unlock, unassign, merge,
re-plan now. Every form carries the version it was read at; a stale version is a conflict,
shown as such (409) with the request as it is now, never a silent overwrite."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from dispatch.clock import LOCAL_TZ, to_local, utcnow
from dispatch.models import Assignment, Hamlet, HelpRequest
from dispatch.services import availability, overrides
from dispatch.services.candidates import rank_candidates
from dispatch.services.errors import DomainError
from dispatch.services.queue_queries import request_in_scope
from dispatch.services.request_details import MergeRequests, details, merge
from dispatch.services.unit_of_work import unit_of_work
from web.coordinator.auth import actor, coordinator_required
from web.coordinator.blueprint import bp
from web.errors import error_page, status_of
from web.extensions import db


def _request_or_404(request_id: int) -> HelpRequest:
    found = request_in_scope(db(), request_id, g.communes)
    if found is None:
        abort(404)
    return found


def _page(req: HelpRequest, status: int = 200, conflict: bool = False, **extra: Any) -> Any:
    session = db()
    hamlet = session.get(Hamlet, req.hamlet_code) if req.hamlet_code else None
    now = utcnow()
    context = {
        "req": req,
        "hamlet": hamlet,
        "live": req.live_assignment(),
        "info": details(session, req),
        "candidates": rank_candidates(session, req, now) if req.status != "done" else [],
        "conflict": conflict,
        "slot_value": lambda value: to_local(value).strftime("%Y-%m-%dT%H:%M") if value else "",
        "title": req.reference,
    }
    context.update(extra)
    return render_template("coordinator/request.html", **context), status


@bp.get("/requests/<int:request_id>")
@coordinator_required
def request_page(request_id: int) -> Any:
    return _page(_request_or_404(request_id))


def _version(name: str = "version") -> int | None:
    raw = request.form.get(name, "")
    return int(raw) if raw.isdigit() else None


def _reason() -> str:
    return request.form.get("reason", "").strip()[:500]


@bp.errorhandler(DomainError)
def _refused(error: DomainError) -> Any:
    """A refused override: the request's page again, saying why, with nothing saved."""
    db().rollback()
    args = request.view_args or {}
    req_id = args.get("request_id")
    if req_id is None and "assignment_id" in args:
        assignment = db().get(Assignment, args["assignment_id"])
        req_id = assignment.request_id if assignment is not None else None
    status = status_of(error)
    if req_id is None or status == 404:
        return error_page(status)
    req = _request_or_404(req_id)
    db().refresh(req)
    if status == 409:
        return _page(req, 409, conflict=True)
    return _page(req, 400, error=_("Not possible: %(why)s", why=str(error)))


def _back(req: HelpRequest, message: str) -> Response:
    flash(message, "success")
    return redirect(url_for("coordinator.request_page", request_id=req.id))


def _local_datetime(raw: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return value.replace(tzinfo=LOCAL_TZ) if value.tzinfo is None else value


@bp.post("/requests/<int:request_id>/reassign")
@coordinator_required
def reassign(request_id: int) -> Any:
    req = _request_or_404(request_id)
    start = _local_datetime(request.form.get("start", ""))
    volunteer_raw = request.form.get("volunteer_id", "")
    if start is None or not volunteer_raw.isdigit() or not _reason():
        return _page(req, 400, error=_("Choose a volunteer, a time and give a reason."))
    candidate_ids = {v.volunteer.id for v in rank_candidates(db(), req, utcnow())}
    if int(volunteer_raw) not in candidate_ids:  # only volunteers of this request's commune
        return _page(req, 400, error=_("This volunteer cannot take this request."))
    command = overrides.ReassignRequest(
        request_id=req.id,
        volunteer_id=int(volunteer_raw),
        start_at=start,
        actor=actor(),
        reason=_reason(),
        confirmed=request.form.get("confirmed") == "1",
        expected_version=_version(),
    )
    with unit_of_work(db()):
        overrides.reassign(db(), command, utcnow())
    return _back(req, _("Reassigned. The visit is locked: the planner will keep it."))


@bp.post("/requests/<int:request_id>/unassign")
@coordinator_required
def unassign(request_id: int) -> Any:
    req = _request_or_404(request_id)
    if not _reason():
        return _page(req, 400, error=_("Please give a reason."))
    command = overrides.UnassignRequest(req.id, actor(), _reason(), _version())
    with unit_of_work(db()):
        overrides.unassign(db(), command, utcnow())
    return _back(req, _("The volunteer was taken off; the request is back in the queue."))


@bp.post("/assignments/<int:assignment_id>/lock")
@coordinator_required
def set_lock(assignment_id: int) -> Any:
    assignment = db().get(Assignment, assignment_id)
    if assignment is None or assignment.request.commune_code not in g.communes:
        abort(404)
    req = assignment.request
    locked = request.form.get("locked") == "1"
    reason = _reason() or (_("locked by coordinator") if locked else _("unlocked by coordinator"))
    command = overrides.SetLock(assignment.id, locked, actor(), reason, _version())
    with unit_of_work(db()):
        overrides.set_lock(db(), command, utcnow())
    return _back(req, _("Locked: the planner keeps this visit.") if locked else _("Unlocked."))


@bp.post("/requests/<int:request_id>/merge")
@coordinator_required
def merge_duplicate(request_id: int) -> Any:
    req = _request_or_404(request_id)
    duplicate_raw = request.form.get("duplicate_id", "")
    if not duplicate_raw.isdigit() or _request_or_404(int(duplicate_raw)) is None:
        abort(404)
    command = MergeRequests(req.id, int(duplicate_raw), actor(), _version())
    with unit_of_work(db()):
        merge(db(), command, utcnow())
    return _back(req, _("The duplicate was merged into this request and closed."))


@bp.post("/communes/<code>/replan")
@coordinator_required
def replan(code: str) -> Response:
    if code not in g.communes:
        abort(404)
    with unit_of_work(db()):
        availability.request_replan(db(), code, actor(), utcnow())
    flash(_("A new plan for this commune was asked for; it takes a few seconds."), "success")
    target = request.form.get("next", "")
    if target.startswith("/c/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("coordinator.queue_page"))
