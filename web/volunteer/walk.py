"""My walk list: the day's doors of a campaign in route order, an outcome in two taps (open the
door, choose what happened), and a printable A4 page of the list. Another volunteer's door
answers 404 (the service checks the visit is the signed-in volunteer's)."""

from __future__ import annotations

from datetime import date, datetime, time

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from dispatch.campaign_items import DIFFICULTIES
from dispatch.clock import local_to_utc, to_local, utcnow
from dispatch.models import CampaignVisit, DoorStatus, Household
from dispatch.services import campaigns
from dispatch.services.errors import DomainError, NotFound
from dispatch.services.unit_of_work import unit_of_work
from web.extensions import db
from web.volunteer.auth import volunteer_required
from web.volunteer.blueprint import bp


def _day() -> date:
    try:
        return date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        return to_local(utcnow()).date()


def _walk(day: date) -> list[CampaignVisit]:
    return list(
        db().scalars(
            select(CampaignVisit)
            .where(
                or_(
                    CampaignVisit.volunteer_id == g.volunteer.id,
                    CampaignVisit.partner_id == g.volunteer.id,
                ),
                CampaignVisit.day == day,
                CampaignVisit.status != DoorStatus.DROPPED,
            )
            .options(
                selectinload(CampaignVisit.household).selectinload(Household.members),
                selectinload(CampaignVisit.outcome),
                selectinload(CampaignVisit.campaign),
                selectinload(CampaignVisit.volunteer),
                selectinload(CampaignVisit.partner),
            )
            .order_by(CampaignVisit.route_order)
        )
    )


@bp.get("/walk")
@volunteer_required
def walk() -> str:
    day = _day()
    return render_template(
        "volunteer/walk.html",
        day=day,
        visits=_walk(day),
        difficulties=list(DIFFICULTIES),
        title=_("My walk list"),
    )


@bp.get("/walk/print")
@volunteer_required
def walk_print() -> str:
    day = _day()
    return render_template("volunteer/walk_print.html", day=day, visits=_walk(day),
                           title=_("Walk list"))  # fmt: skip


def _come_back(day: date) -> datetime | None:
    raw = request.form.get("come_back", "")
    try:
        at = time.fromisoformat(raw)
    except ValueError:
        return None
    return local_to_utc(day, at)


@bp.post("/walk/<int:visit_id>/outcome")
@volunteer_required
def walk_outcome(visit_id: int) -> Response:
    visit = db().get(CampaignVisit, visit_id)
    if visit is None or not visit.walked_by(g.volunteer.id):
        abort(404)
    try:
        status = DoorStatus(request.form.get("status", ""))
    except ValueError:
        abort(400)
    member = request.form.get("member", "")
    command = campaigns.RecordOutcome(
        visit_id=visit.id,
        status=status,
        done_items=request.form.getlist("items"),
        come_back_at=_come_back(visit.day),
        digital_core_member_id=int(member) if member.isdigit() else None,
        difficulties=request.form.getlist("difficulties"),
        note=request.form.get("note", ""),
        via="web",
    )
    try:
        with unit_of_work(db()):
            campaigns.record_outcome(db(), g.volunteer.id, command, utcnow())
    except NotFound:
        abort(404)
    except DomainError as error:
        flash(_("Not saved: %(reason)s.", reason=str(error)), "error")
    else:
        flash(_("Saved."), "success")
    target = url_for(
        "volunteer.walk", day=visit.day.isoformat(), _anchor=f"door-{visit.route_order}"
    )
    return redirect(target)
