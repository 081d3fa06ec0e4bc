"""Campaigns in the panel: open one (hamlets, checklist, dates), start or close it, and see its
walk lists by day and volunteer. Another commune's campaign answers 404."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from dispatch.campaign_items import DEFAULT_CHECKLIST, ITEMS
from dispatch.clock import utcnow
from dispatch.models import Campaign, CampaignStatus, CampaignVisit, Hamlet
from dispatch.services import campaigns as service
from dispatch.services.errors import DomainError
from dispatch.services.unit_of_work import unit_of_work
from notifications.outbound import enqueue_delivery, queue_sms
from notifications.walk_sms import lists_for_day
from web.coordinator.auth import actor, coordinator_required
from web.coordinator.blueprint import bp
from web.extensions import db, queues


def campaign_of(campaign_id: int) -> Campaign:
    """The campaign if it is of the coordinator's communes, else 404."""
    campaign = db().get(Campaign, campaign_id)
    if campaign is None or campaign.commune_code not in g.communes:
        abort(404)
    return campaign


@bp.get("/campaigns")
@coordinator_required
def campaigns() -> str:
    session = db()
    rows = session.scalars(
        select(Campaign).where(Campaign.commune_code.in_(g.communes)).order_by(Campaign.id.desc())
    ).all()
    hamlets = session.scalars(
        select(Hamlet).where(Hamlet.commune_code.in_(g.communes)).order_by(Hamlet.code)
    ).all()
    return render_template(
        "coordinator/campaigns.html",
        campaigns=rows,
        hamlets=hamlets,
        items=ITEMS,
        default_items=DEFAULT_CHECKLIST,
        today=utcnow().date(),
        title=_("Campaigns"),
    )


def _date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.form.get(name, ""))
    except ValueError:
        return None


@bp.post("/campaigns")
@coordinator_required
def campaign_open() -> Response:
    commune = request.form.get("commune", "")
    first, last = _date("first_day"), _date("last_day")
    if commune not in g.communes or first is None or last is None:
        flash(_("Choose a commune of yours and both dates."), "error")
        return redirect(url_for("coordinator.campaigns"))
    command = service.OpenCampaign(
        commune_code=commune,
        name=request.form.get("name", ""),
        hamlets=request.form.getlist("hamlets"),
        checklist=request.form.getlist("checklist"),
        first_day=first,
        last_day=last,
        in_pairs=request.form.get("in_pairs") == "1",
    )
    try:
        with unit_of_work(db()):
            campaign = service.open_campaign(db(), command, actor(), utcnow())
    except DomainError as error:
        flash(_("Not saved: %(reason)s.", reason=str(error)), "error")
        return redirect(url_for("coordinator.campaigns"))
    flash(_("Campaign opened. Start it to plan the walk lists."), "success")
    return redirect(url_for("coordinator.campaign", campaign_id=campaign.id))


@bp.get("/campaigns/<int:campaign_id>")
@coordinator_required
def campaign(campaign_id: int) -> str:
    found = campaign_of(campaign_id)
    visits = (
        db()
        .scalars(
            select(CampaignVisit)
            .where(CampaignVisit.campaign_id == found.id)
            .options(
                selectinload(CampaignVisit.household),
                selectinload(CampaignVisit.volunteer),
                selectinload(CampaignVisit.partner),
            )
            .order_by(CampaignVisit.day, CampaignVisit.volunteer_id, CampaignVisit.route_order)
        )
        .all()
    )
    days: dict[date, dict[str, list[CampaignVisit]]] = defaultdict(lambda: defaultdict(list))
    for visit in visits:
        walkers = " + ".join(p.name for p in (visit.volunteer, visit.partner) if p is not None)
        days[visit.day][walkers].append(visit)
    return render_template(
        "coordinator/campaign.html",
        campaign=found,
        days={d: dict(lists) for d, lists in sorted(days.items())},
        title=found.name,
    )


@bp.post("/campaigns/<int:campaign_id>/status")
@coordinator_required
def campaign_status(campaign_id: int) -> Response:
    found = campaign_of(campaign_id)
    try:
        target = CampaignStatus(request.form.get("status", ""))
        with unit_of_work(db()):
            service.set_status(db(), found, target, actor(), utcnow())
    except (ValueError, DomainError) as error:
        flash(_("Not saved: %(reason)s.", reason=str(error)), "error")
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("coordinator.campaign", campaign_id=found.id))


@bp.post("/campaigns/<int:campaign_id>/sms")
@coordinator_required
def campaign_sms(campaign_id: int) -> Response:
    """Send a day's walk lists by SMS to the volunteers on basic phones (a list already sent
    unchanged is not sent again). Lists of today and tomorrow go out by themselves."""
    found = campaign_of(campaign_id)
    try:
        day = date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        abort(400)
    settings = current_app.config["DOORSTEP_SETTINGS"]
    with unit_of_work(db()) as session:
        messages = [
            queue_sms(session, settings, out)
            for out in lists_for_day(session, found.id, day, "panel")
        ]
    if current_app.config.get("PUBLISH_AFTER_COMMIT", True):
        try:
            enqueue_delivery(queues(), messages)
        except (RedisError, OSError):
            pass  # stored as queued: the messaging sweep delivers them when Redis is back
    flash(_("%(n)d SMS queued.", n=len(messages)), "success")
    return redirect(url_for("coordinator.campaign", campaign_id=found.id))
