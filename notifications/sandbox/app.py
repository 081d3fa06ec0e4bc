"""The fake Twilio REST API as a Flask WSGI app (messages create, fetch, list) plus a small
admin API under ``/_sandbox`` to inject faults and read every message."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from notifications.sandbox.store import (
    API_VERSION,
    DELIVERY_FAULTS,
    FAULTS,
    TIMEOUT_FAULT,
    SandboxState,
)

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_MESSAGES = f"/{API_VERSION}/Accounts/<account_sid>/Messages.json"
_MESSAGE = f"/{API_VERSION}/Accounts/<account_sid>/Messages/<message_sid>.json"

twilio_api = Blueprint("twilio_api", __name__)
admin_api = Blueprint("sandbox_admin", __name__, url_prefix="/_sandbox")


def _state() -> SandboxState:
    state: SandboxState = current_app.extensions["sandbox_state"]
    return state


def twilio_error(http_status: int, code: int, message: str) -> Response:
    answer = jsonify(
        code=code,
        message=message,
        more_info=f"https://www.twilio.com/docs/errors/{code}",
        status=http_status,
    )
    answer.status_code = http_status
    return answer


@twilio_api.before_request
def check_basic_auth() -> Response | None:
    state = _state()
    auth = request.authorization
    path_sid = (request.view_args or {}).get("account_sid")
    if (
        auth is None
        or auth.username != state.account_sid
        or auth.password != state.auth_token
        or path_sid != state.account_sid
    ):
        return twilio_error(401, 20003, "Authentication Error - invalid username")
    return None


@twilio_api.post(_MESSAGES)
def create_message(account_sid: str) -> Response:
    state = _state()
    form = request.form
    to, body = form.get("To", ""), form.get("Body")
    sender, service = form.get("From", ""), form.get("MessagingServiceSid")
    if not to:
        return twilio_error(400, 21604, "A 'To' phone number is required.")
    if body is None or body == "":
        return twilio_error(400, 21602, "Message body is required.")
    if not sender and not service:
        return twilio_error(400, 21603, "A 'From' phone number is required.")
    if not _E164.match(to):
        return twilio_error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
    fault = state.take_fault(to)
    if fault in FAULTS:
        http_status, code, text = FAULTS[fault]
        return twilio_error(http_status, code, text)
    outcome = fault if fault in DELIVERY_FAULTS else None
    message = state.create(to, sender, body, service, form.get("StatusCallback"), outcome)
    if fault == TIMEOUT_FAULT:
        time.sleep(state.timeout_delay_s)  # the client gives up before this answer
    answer = jsonify(message.to_json())
    answer.status_code = 201
    return answer


@twilio_api.get(_MESSAGE)
def fetch_message(account_sid: str, message_sid: str) -> Response:
    message = _state().get(message_sid)
    if message is None:
        return twilio_error(
            404, 20404, f"The requested resource /{API_VERSION}/Accounts/{account_sid}/"
            f"Messages/{message_sid}.json was not found",
        )  # fmt: skip
    return jsonify(message.to_json())


def _parse_moment(raw: str) -> datetime | date:
    raw = raw.strip()
    if len(raw) == 10:
        return date.fromisoformat(raw)
    moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _sent_matches(sent: datetime, op: str, raw: str) -> bool:
    bound = _parse_moment(raw)
    value: datetime | date = sent if isinstance(bound, datetime) else sent.date()
    if op == ">":
        return value >= bound
    if op == "<":
        return value <= bound
    return value == bound


@twilio_api.get(_MESSAGES)
def list_messages(account_sid: str) -> Response:
    args = request.args
    found = sorted(_state().snapshot(), key=lambda m: m.date_created, reverse=True)
    if args.get("To"):
        found = [m for m in found if m.to == args["To"]]
    if args.get("From"):
        found = [m for m in found if m.from_ == args["From"]]
    for op in ("", ">", "<"):
        if args.get("DateSent" + op):
            found = [m for m in found if _sent_matches(m.date_created, op, args["DateSent" + op])]
    size = max(1, min(1000, int(args.get("PageSize", 50))))
    page = max(0, int(args.get("Page", 0)))
    chunk = found[page * size : (page + 1) * size]
    base = f"/{API_VERSION}/Accounts/{account_sid}/Messages.json"
    kept = {k: v for k, v in args.items() if k not in ("Page", "PageSize", "PageToken")}

    def page_uri(number: int) -> str:
        return base + "?" + urlencode({**kept, "PageSize": size, "Page": number})

    has_next = (page + 1) * size < len(found)
    return jsonify(
        messages=[m.to_json() for m in chunk],
        page=page,
        page_size=size,
        start=page * size,
        end=page * size + max(0, len(chunk) - 1),
        uri=page_uri(page),
        first_page_uri=page_uri(0),
        previous_page_uri=page_uri(page - 1) if page > 0 else None,
        next_page_uri=(page_uri(page + 1) + f"&PageToken=PA{page + 1}") if has_next else None,
    )


@admin_api.post("/faults")
def add_fault() -> Response:
    data = request.get_json(silent=True) or request.form
    times = data.get("times")
    try:
        _state().add_fault(data.get("number", "*"), str(data.get("fault")), _int_or_none(times))
    except ValueError as error:
        return twilio_error(400, 0, str(error))
    return jsonify(ok=True)


def _int_or_none(raw: object) -> int | None:
    return None if raw in (None, "") else int(str(raw))


@admin_api.delete("/faults")
def clear_faults() -> Response:
    _state().clear_faults()
    return jsonify(ok=True)


@admin_api.get("/messages")
def all_messages() -> Response:
    rows = []
    for m in _state().snapshot():
        row = m.to_json()
        row.update(history=list(m.history), status_callback=m.status_callback)
        rows.append(row)
    return jsonify(messages=rows)


@admin_api.post("/messages/<sid>/callback")
def replay_callback(sid: str) -> Response:
    data = request.get_json(silent=True) or request.form
    try:
        _state().replay_callback(sid, data.get("status") or None)
    except KeyError:
        return twilio_error(404, 20404, f"no message {sid}")
    return jsonify(ok=True)


@admin_api.post("/inbound")
def record_inbound() -> Response:
    data = request.get_json(silent=True) or request.form
    message = _state().record_inbound(data["From"], data["To"], data["Body"])
    return jsonify(message.to_json())


@admin_api.post("/reset")
def reset() -> Response:
    _state().reset()
    return jsonify(ok=True)


def create_sandbox_app(state: SandboxState) -> Flask:
    app = Flask(__name__)
    app.extensions["sandbox_state"] = state
    app.register_blueprint(twilio_api)
    app.register_blueprint(admin_api)
    return app
