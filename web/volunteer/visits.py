"""My visits: today's and upcoming visits in route order; accept, decline, start, finish.

Every action loads the visit through ``visit_of`` with the signed-in volunteer's id, so another
volunteer's visit answers 404 (it is neither shown nor touched).
"""

from __future__ import annotations

from datetime import datetime, time

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from dispatch.clock import local_to_utc, to_local, utcnow
from dispatch.models import Assignment, Hamlet, VisitOutcome
from dispatch.services import offers
from dispatch.services.errors import DomainError
from dispatch.services.unit_of_work import unit_of_work
from dispatch.services.volunteer_queries import my_visits, visit_of
from dispatch.states import AssignmentStatus
from web.errors import status_of
from web.extensions import db
from web.volunteer.auth import volunteer_required
from web.volunteer.blueprint import bp

DECLINE_REASONS = {
    "busy": _l("I am busy at that time"),
    "far": _l("It is too far for me"),
    "skill": _l("I cannot help with this kind of task"),
    "sick": _l("I am ill or away"),
    "other": _l("Another reason"),
}
PHONE_VISIBLE = {AssignmentStatus.ACCEPTED, AssignmentStatus.IN_PROGRESS}


def _actor() -> str:
    return f"volunteer:{g.volunteer.phone}"


def _start_of_today() -> datetime:
    return local_to_utc(to_local(utcnow()).date(), time(0, 0))


@bp.get("/", endpoint="my_visits")
@volunteer_required
def my_visits_page() -> str:
    session = db()
    visits = my_visits(session, g.volunteer.id, _start_of_today())
    hamlets = {h.code: h for h in session.query(Hamlet).all()}
    today = to_local(utcnow()).date()
    return render_template(
        "volunteer/visits.html",
        visits=visits,
        hamlets=hamlets,
        today=today,
        to_local=to_local,
        phone_visible=PHONE_VISIBLE,
        decline_reasons=DECLINE_REASONS,
        outcomes=VisitOutcome.ALL,
        title=_("My visits"),
    )


def _own_visit(assignment_id: int) -> Assignment:
    visit = visit_of(db(), assignment_id, g.volunteer.id)
    if visit is None:
        abort(404)
    return visit


def _version() -> int | None:
    raw = request.form.get("version", "")
    return int(raw) if raw.isdigit() else None


def _done(message: str) -> Response:
    flash(message, "success")
    return redirect(url_for("volunteer.my_visits"))


@bp.errorhandler(DomainError)
def _refused(error: DomainError) -> Response:
    """A refused answer: back to My visits with a message, nothing saved."""
    db().rollback()
    if status_of(error) == 409:
        flash(_("This visit changed meanwhile (see below). Nothing was saved."), "error")
    else:
        flash(_("This is not possible for this visit any more."), "error")
    return redirect(url_for("volunteer.my_visits"))


@bp.post("/visits/<int:assignment_id>/accept")
@volunteer_required
def accept(assignment_id: int) -> Response:
    visit = _own_visit(assignment_id)
    with unit_of_work(db()):
        offers.accept(db(), offers.AcceptOffer(visit.id, _actor(), _version()), utcnow())
    return _done(_("Thank you! The visit is confirmed and the resident will be told."))


@bp.post("/visits/<int:assignment_id>/decline")
@volunteer_required
def decline(assignment_id: int) -> Response:
    visit = _own_visit(assignment_id)
    key = request.form.get("reason", "")
    if key not in DECLINE_REASONS:
        flash(_("Please choose a reason."), "error")
        return redirect(url_for("volunteer.my_visits", _anchor=f"visit-{assignment_id}"))
    detail = request.form.get("detail", "").strip()[:300]
    reason = f"{key}: {detail}" if detail else key
    with unit_of_work(db()):
        offers.decline(db(), offers.DeclineOffer(visit.id, _actor(), reason, _version()), utcnow())
    return _done(_("Noted. We will find another volunteer."))


@bp.post("/visits/<int:assignment_id>/start")
@volunteer_required
def start(assignment_id: int) -> Response:
    visit = _own_visit(assignment_id)
    with unit_of_work(db()):
        offers.start(db(), offers.StartVisit(visit.id, _actor(), _version()), utcnow())
    return _done(_("Visit started. Remember to say the visit code at the door."))


@bp.post("/visits/<int:assignment_id>/finish")
@volunteer_required
def finish(assignment_id: int) -> Response:
    visit = _own_visit(assignment_id)
    outcome = request.form.get("outcome", "")
    if outcome not in VisitOutcome.ALL:
        flash(_("Please choose how the visit ended."), "error")
        return redirect(url_for("volunteer.my_visits", _anchor=f"visit-{assignment_id}"))
    note = request.form.get("note", "").strip()[:1000] or None
    command = offers.CompleteVisit(visit.id, outcome, _actor(), note, _version())
    with unit_of_work(db()):
        offers.complete(db(), command, utcnow())
    return _done(_("Thank you! The visit is recorded."))
