"""The phone simulator (sandbox only): read each phone's conversation, reply as that phone.

SMS and Zalo (ZNS) messages show side by side: a Zalo message that fell back to SMS appears in
both columns (Zalo "replaced" with its error code, the SMS that carried it).

A reply is not written to the database directly: it becomes a Twilio inbound webhook signed
with the sandbox's auth token and sent through the whole app (signature check included), so
the simulator exercises exactly the path a real SMS takes. With real Twilio credentials the
pages do not exist (404): they would let anyone speak for any number.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator
from werkzeug.wrappers import Response

from dispatch.clock import to_local
from dispatch.models import Message, Resident, Volunteer
from dispatch.settings import Settings
from web.extensions import db

bp = Blueprint("simulator", __name__, url_prefix="/sandbox/phones")

INBOUND_PATH = "/webhooks/twilio/sms"
CONVERSATION_LIMIT = 200


def _settings() -> Settings:
    settings: Settings = current_app.config["DOORSTEP_SETTINGS"]
    return settings


@bp.before_request
def sandbox_only() -> None:
    from notifications.wiring import sandbox_in_use

    if not sandbox_in_use(_settings()):
        abort(404)


@bp.get("/")
def index() -> str:
    session = db()
    volunteers = session.scalars(select(Volunteer).order_by(Volunteer.name).limit(200)).all()
    residents = session.scalars(select(Resident).order_by(Resident.id.desc()).limit(100)).all()
    recent = session.execute(
        select(Message.peer_phone, func.max(Message.id).label("last"))
        .group_by(Message.peer_phone)
        .order_by(func.max(Message.id).desc())
        .limit(50)
    ).all()
    return render_template(
        "simulator/index.html",
        title=_("Phone simulator"),
        volunteers=volunteers,
        residents=residents,
        recent=[row.peer_phone for row in recent],
    )


@bp.post("/open")
def open_phone() -> Response:
    from notifications.phone import InvalidPhone, to_e164

    try:
        phone = to_e164(request.form.get("phone", ""))
    except InvalidPhone as error:
        flash(str(error), "error")
        return redirect(url_for("simulator.index"))
    return redirect(url_for("simulator.phone", number=phone))


@bp.get("/<number>")
def phone(number: str) -> str:
    session = db()
    messages = session.scalars(
        select(Message)
        .where(Message.peer_phone == number)
        .order_by(Message.id.desc())
        .limit(CONVERSATION_LIMIT)
    ).all()
    volunteer = session.scalar(select(Volunteer).where(Volunteer.phone == number))
    resident = session.scalars(
        select(Resident).where(Resident.phone == number).order_by(Resident.id.desc())
    ).first()
    ordered = list(reversed(messages))
    return render_template(
        "simulator/phone.html",
        title=_("Phone %(number)s", number=number),
        number=number,
        messages=[m for m in ordered if m.channel != "zalo"],
        zalo_messages=[(m, _zns_text(m)) for m in ordered if m.channel == "zalo"],
        volunteer=volunteer,
        resident=resident,
        local=to_local,
    )


def _zns_text(message: Message) -> str:
    """What the person reads in Zalo: the ZNS template filled with the message's values."""
    from notifications.zalo_templates import ZNS_TEMPLATES, render_text

    if message.template in ZNS_TEMPLATES and message.template_data:
        return render_text(message.template, message.template_data)
    return message.body


@bp.post("/<number>")
def send(number: str) -> Response:
    body = request.form.get("body", "").strip()
    if not body:
        flash(_("Type a message first."), "error")
        return redirect(url_for("simulator.phone", number=number))
    status = post_signed_inbound(number, body[:1600])
    if status != 200:
        flash(_("The webhook answered %(status)s.", status=status), "error")
    return redirect(url_for("simulator.phone", number=number))


def post_signed_inbound(sender: str, body: str) -> int:
    """Send ``body`` from ``sender`` through the app as Twilio would; returns the HTTP status."""
    from notifications.wiring import twilio_auth_token, twilio_settings

    settings = _settings()
    twilio = twilio_settings(settings)
    sid = "SM" + secrets.token_hex(16)
    params = {
        "MessageSid": sid,
        "SmsSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": twilio.account_sid,
        "From": sender,
        "To": twilio.from_number or "",
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
    }
    url = settings.public_url + INBOUND_PATH
    signature = RequestValidator(twilio_auth_token(settings)).compute_signature(url, params)
    answer = current_app.test_client().post(
        INBOUND_PATH,
        data=params,
        headers={"X-Twilio-Signature": signature},
        base_url=settings.public_url,
    )
    return answer.status_code
