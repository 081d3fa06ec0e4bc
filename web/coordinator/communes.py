"""Commune messaging settings: which channels carry a commune's messages, in which order."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response

from dispatch.clock import utcnow
from dispatch.models import Commune
from dispatch.services.commune_settings import BadChannelOrder, set_channel_order
from dispatch.services.unit_of_work import unit_of_work
from web.coordinator.auth import actor, coordinator_required
from web.coordinator.blueprint import bp
from web.extensions import db

#: The orders offered (any valid order is accepted; these are the sensible ones).
CHANNEL_ORDERS = {
    "": _l("SMS only, by the commune's SMS channel"),
    "zalo,twilio": _l("Zalo first, then SMS by Twilio"),
    "zalo,android_gateway,twilio": _l("Zalo, then the gateway phone, then Twilio"),
    "zalo,android_gateway": _l("Zalo first, then SMS by the gateway phone"),
    "android_gateway,twilio": _l("SMS by the gateway phone, then Twilio"),
    "twilio": _l("SMS by Twilio only"),
    "android_gateway": _l("SMS by the gateway phone only"),
}


@bp.get("/communes")
@coordinator_required
def communes() -> str:
    rows = db().scalars(select(Commune).where(Commune.code.in_(g.communes)).order_by(Commune.name))
    return render_template(
        "coordinator/communes.html",
        communes=list(rows),
        orders={key: str(label) for key, label in CHANNEL_ORDERS.items()},
        title=_("Communes"),
    )


@bp.post("/communes/<code>")
@coordinator_required
def commune_save(code: str) -> Response:
    if code not in g.communes:
        abort(404)
    try:
        with unit_of_work(db()):
            set_channel_order(
                db(), code, request.form.get("channel_order", ""), actor=actor(), at=utcnow()
            )
    except BadChannelOrder as error:
        flash(_("Not saved: %(reason)s.", reason=str(error)), "error")
        return redirect(url_for("coordinator.communes"))
    flash(_("Saved."), "success")
    return redirect(url_for("coordinator.communes"))
