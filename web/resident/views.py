"""The request form and the status page at an unguessable link (the request's status token).

Thin: parse and validate the form, call ``dispatch.services.requests``, redirect. A double
submit finds the same open request (the service dedupes on phone + kind within 24 h), so nothing
is stored twice; the redirect after POST keeps a reload from sending again.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from dispatch.catalogue import KINDS
from dispatch.clock import to_local, utcnow
from dispatch.models import Commune, Hamlet, HelpRequest
from dispatch.services import requests as request_service
from dispatch.services.errors import DomainError
from dispatch.services.unit_of_work import unit_of_work
from dispatch.services.windows import TimeWindow
from dispatch.states import RequestStatus
from web.errors import error_page, status_of
from web.extensions import db
from web.helpers import kind_label, lang
from web.ratelimit import enforce
from web.resident.blueprint import bp
from web.resident.forms import RequestForm, RescheduleForm, TimeChoiceMixin, phone_e164

SUBMITS_PER_IP_PER_HOUR = 10
SUBMITS_PER_PHONE_PER_DAY = 5
CHANGEABLE = {RequestStatus.OPEN, RequestStatus.OFFERED, RequestStatus.SCHEDULED}


def _today() -> date:
    return to_local(utcnow()).date()


def _day_label(day: date) -> str:
    return format_date(day, "EEEE dd/MM")


def _windows(form: TimeChoiceMixin) -> tuple[TimeWindow, ...]:
    return tuple(
        TimeWindow(datetime.fromisoformat(w["start"]), datetime.fromisoformat(w["end"]))
        for w in form.windows(_today())
    )


def _request_form() -> tuple[RequestForm, list[Hamlet]]:
    session = db()
    communes = list(session.scalars(select(Commune).order_by(Commune.name)))
    hamlets = list(session.scalars(select(Hamlet).order_by(Hamlet.name)))
    form = RequestForm()
    form.commune.choices = [SelectChoice("", _("Choose your commune"))] + [
        SelectChoice(c.code, c.name) for c in communes
    ]
    form.hamlet.choices = [SelectChoice("", "")] + [SelectChoice(h.code, h.name) for h in hamlets]
    form.kind.choices = [SelectChoice(k.key, kind_label(k.key)) for k in KINDS]
    form.set_day_choices(_today(), _day_label)
    return form, hamlets


def _check_places(form: RequestForm, hamlets: list[Hamlet]) -> bool:
    """The commune exists and the hamlet is one of its hamlets."""
    commune_codes = {choice.value for choice in form.commune.choices or [] if choice.value}
    if form.commune.data not in commune_codes:
        form.commune.errors = [_("Please choose your commune.")]
        return False
    hamlet = next((h for h in hamlets if h.code == form.hamlet.data), None)
    if hamlet is None or hamlet.commune_code != form.commune.data:
        form.hamlet.errors = [_("Please choose a hamlet of the commune you chose.")]
        return False
    if form.kind.data not in {k.key for k in KINDS}:
        form.kind.errors = [_("Please choose what you need help with.")]
        return False
    return True


@bp.route("/request", methods=["GET", "POST"])
def new_request() -> Response | str | tuple[str, int]:
    form, hamlets = _request_form()
    if request.method == "POST":
        valid = form.validate()
        if valid and _check_places(form, hamlets):
            phone = phone_e164(form.phone.data or "")
            enforce("resident-submit-ip", request.remote_addr or "?", SUBMITS_PER_IP_PER_HOUR, 3600)
            enforce("resident-submit-phone", phone, SUBMITS_PER_PHONE_PER_DAY, 86400)
            command = request_service.SubmitRequest(
                phone=phone,
                kind=str(form.kind.data),
                commune_code=str(form.commune.data),
                hamlet_code=str(form.hamlet.data),
                name=(form.name.data or "").strip(),
                text=(form.note.data or "").strip(),
                language=lang(),
                preferred_windows=_windows(form),
            )
            with unit_of_work(db()):
                result = request_service.submit(db(), command, utcnow())
            if result.created:
                flash(_("Thank you! Your request is registered."), "success")
            else:
                flash(_("You already asked for this help: here is your request."), "warning")
            return redirect(url_for("resident.status", token=result.request.status_token))
        return render_template("resident/new.html", form=form, hamlets=hamlets), 400
    return render_template("resident/new.html", form=form, hamlets=hamlets)


def _by_token(token: str) -> HelpRequest:
    found = db().scalar(select(HelpRequest).where(HelpRequest.status_token == token))
    if found is None:
        abort(404)
    return found


def _status_context(
    req: HelpRequest, reschedule_form: RescheduleForm | None = None
) -> dict[str, Any]:
    form = reschedule_form or RescheduleForm(formdata=None)
    form.set_day_choices(_today(), _day_label)
    live = req.live_assignment()
    visit = live if live is not None and live.status != "offered" else None
    return {
        "req": req,
        "visit": visit,
        "reschedule_form": form,
        "can_change": req.status in CHANGEABLE,
        "title": _("Your request"),
    }


@bp.get("/r/<token>")
def status(token: str) -> str:
    return render_template("resident/status.html", **_status_context(_by_token(token)))


def _resident_actor(req: HelpRequest) -> str:
    return f"resident:{req.resident.phone}"


@bp.errorhandler(DomainError)
def _refused(error: DomainError) -> ResponseReturnValue:
    """The request moved on while the resident looked at it: their page again, nothing saved."""
    db().rollback()
    token = (request.view_args or {}).get("token")
    if token is None or status_of(error) == 404:
        return error_page(status_of(error))
    flash(_("Your request changed meanwhile. Please check it and try again."), "error")
    return redirect(url_for("resident.status", token=token))


@bp.post("/r/<token>/cancel")
def cancel(token: str) -> Response:
    req = _by_token(token)
    if req.status in CHANGEABLE:
        command = request_service.CancelRequest(
            request_id=req.id, actor=_resident_actor(req), reason=_("cancelled by the resident")
        )
        with unit_of_work(db()):
            request_service.cancel(db(), command, utcnow())
        flash(_("Your request is cancelled."), "success")
    return redirect(url_for("resident.status", token=token))


@bp.post("/r/<token>/reschedule")
def reschedule(token: str) -> Response | tuple[str, int]:
    req = _by_token(token)
    form = RescheduleForm()
    form.set_day_choices(_today(), _day_label)
    if not form.validate() or req.status not in CHANGEABLE:
        page = render_template("resident/status.html", **_status_context(req, form))
        return page, 400
    command = request_service.RescheduleRequest(
        request_id=req.id, windows=_windows(form), actor=_resident_actor(req)
    )
    with unit_of_work(db()):
        request_service.reschedule(db(), command, utcnow())
    flash(_("Thank you: we will look for a visit at the time you chose."), "success")
    return redirect(url_for("resident.status", token=token))
