"""Provider webhooks: inbound SMS and delivery status, from Twilio, the Android gateway and
Zalo (ZNS delivery receipts).

Every request is authenticated by the provider's signature before anything is read into the
database: Twilio's ``X-Twilio-Signature`` is checked against ``DOORSTEP_PUBLIC_URL`` + the
path and query (the address Twilio was given), so it holds behind a proxy that rewrites the
host. Missing or wrong signature: 403 and nothing stored. An inbound SMS is stored and handed
to a job (``notifications.inbound_accept``); replies go out by job, so the TwiML answer is
always empty.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, abort, current_app, request
from twilio.request_validator import RequestValidator

from dispatch.services.unit_of_work import unit_of_work
from dispatch.settings import Settings
from web.extensions import db

if TYPE_CHECKING:
    from notifications.inbound import InboundSms

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _settings() -> Settings:
    settings: Settings = current_app.config["DOORSTEP_SETTINGS"]
    return settings


def public_url_of_request() -> str:
    """The URL the provider called, as it knows it: public base + path + query."""
    query = request.query_string.decode("latin-1")
    return _settings().public_url + request.path + (f"?{query}" if query else "")


def _require_twilio_signature() -> None:
    from notifications.wiring import twilio_auth_token

    signature = request.headers.get("X-Twilio-Signature", "")
    validator = RequestValidator(twilio_auth_token(_settings()))
    if not signature or not validator.validate(public_url_of_request(), request.form, signature):
        abort(403)


def _receive(inbound: InboundSms) -> None:
    """Store one inbound SMS (deduplicated, one commit) and hand it to a job: the answer goes
    out in milliseconds; the job acts on it and queues the replies."""
    from notifications.inbound_accept import accept
    from web.extensions import queues

    accept(db(), queues(), inbound)


def _twiml() -> Response:
    return Response(EMPTY_TWIML, mimetype="text/xml")


@bp.post("/twilio/sms")
def twilio_sms() -> Response:
    from notifications.inbound import InboundSms

    _require_twilio_signature()
    form = request.form
    inbound = InboundSms(
        channel="twilio",
        provider_id=form.get("MessageSid", ""),
        sender=form.get("From", ""),
        recipient=form.get("To", ""),
        body=form.get("Body", ""),
    )
    if not inbound.provider_id or not inbound.sender:
        abort(400)
    _receive(inbound)
    return _twiml()


@bp.post("/twilio/status")
def twilio_status() -> Response:
    from notifications.status import apply_status

    _require_twilio_signature()
    form = request.form
    code = form.get("ErrorCode") or None
    with unit_of_work(db()):
        apply_status(
            db(),
            our_id=request.args.get("our_id") or None,
            channel="twilio",
            provider_id=form.get("MessageSid") or form.get("SmsSid") or None,
            status=form.get("MessageStatus") or form.get("SmsStatus") or "",
            error_code=code,
        )
    return Response(status=204)


def _require_gateway_signature() -> dict[str, Any]:
    from notifications.wiring import verify_gateway_webhook

    body = request.get_data(cache=True)
    if not verify_gateway_webhook(
        _settings(),
        body=body,
        signature=request.headers.get("X-Signature", ""),
        timestamp=request.headers.get("X-Timestamp", ""),
    ):
        abort(403)
    try:
        data = json.loads(body)
    except ValueError:
        abort(400)
    if not isinstance(data, dict) or not isinstance(data.get("payload"), dict):
        abort(400)
    return data


@bp.post("/android-gateway")
def android_gateway() -> Response:
    """One URL for the gateway's events: ``sms:received`` and the delivery ``sms:*`` ones."""
    from notifications.inbound import InboundSms
    from notifications.status import GATEWAY_STATUS, apply_status

    data = _require_gateway_signature()
    event, payload = data.get("event"), data["payload"]
    if event == "sms:received":
        inbound = InboundSms(
            channel="android_gateway",
            provider_id=str(payload.get("messageId") or data.get("id") or ""),
            sender=str(payload.get("phoneNumber") or payload.get("sender") or ""),
            recipient=str(payload.get("recipient") or ""),
            body=str(payload.get("message") or ""),
        )
        if not inbound.provider_id or not inbound.sender:
            abort(400)
        _receive(inbound)
    elif event in GATEWAY_STATUS:
        with unit_of_work(db()):
            apply_status(
                db(),
                our_id=str(payload.get("messageId") or "") or None,
                channel="android_gateway",
                provider_id=str(payload.get("messageId") or "") or None,
                status=GATEWAY_STATUS[event],
                error_code=None,
            )
    return Response(status=204)


@bp.post("/zalo")
def zalo() -> Response:
    """Zalo's OA webhook: ``X-ZEvent-Signature`` checked, receipts applied once, 200 fast."""
    from notifications.wiring import verify_zalo_webhook
    from notifications.zalo_receipts import RECEIPT_EVENT, apply_receipt

    body = request.get_data(cache=True)
    signature = request.headers.get("X-ZEvent-Signature", "")
    if not verify_zalo_webhook(_settings(), body=body, signature=signature):
        abort(403)
    try:
        event = json.loads(body)
    except ValueError:
        abort(400)
    if not isinstance(event, dict):
        abort(400)
    if event.get("event_name") == RECEIPT_EVENT:
        with unit_of_work(db()):
            apply_receipt(db(), event)
    return Response(status=200)  # other OA events (follows, chats) are not ours to handle
