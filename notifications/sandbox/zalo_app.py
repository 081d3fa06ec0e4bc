"""The fake Zalo as a Flask app: OAuth v4 token refresh, the ZNS send API, and an admin API
under ``/_zalo`` (numbers without Zalo, faults, template approval, token revocation, messages,
webhook replays). Answers have Zalo's shapes: HTTP 200 with ``error`` and ``message``."""

from __future__ import annotations

import threading
import time

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from werkzeug.serving import WSGIRequestHandler, make_server

from notifications.sandbox.server import QuietRequestHandler, RunningSandbox
from notifications.sandbox.zalo_constants import ERROR_TEXT, OAUTH_PATH
from notifications.sandbox.zalo_store import ZaloSandboxState

zalo_api = Blueprint("zalo_api", __name__)
zalo_admin = Blueprint("zalo_admin", __name__, url_prefix="/_zalo")


def _state() -> ZaloSandboxState:
    state: ZaloSandboxState = current_app.extensions["zalo_state"]
    return state


def zns_error(code: int) -> Response:
    return jsonify(error=code, message=ERROR_TEXT.get(code, "Error"))


@zalo_api.post(OAUTH_PATH)
def access_token() -> Response:
    state = _state()
    form = request.form
    if request.headers.get("secret_key") != state.app_secret or form.get("app_id") != state.app_id:
        return jsonify(
            error=-14002, error_name="Invalid app", error_description="bad app id or secret key"
        )
    if form.get("grant_type") != "refresh_token":
        return jsonify(error=-14003, error_name="Invalid grant type")
    grant = state.refresh(form.get("refresh_token", ""))
    if grant is None:
        return jsonify(
            error=-14014,
            error_name="Invalid parameter",
            error_description="Invalid refresh token",
        )
    return jsonify(grant)


@zalo_api.post("/message/template")
def send_template() -> Response:
    state = _state()
    if not state.access_token_valid(request.headers.get("access_token", "")):
        with state.lock:
            state.rejected_tokens += 1
        return zns_error(-124)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return zns_error(-106)
    code, phone, template = state.check_send(body)
    fault = state.take_fault(phone) if phone else None
    if fault == "500":
        return Response("upstream error", status=500)
    if fault == "lost":  # the request never made it to a message; the answer comes too late
        time.sleep(state.timeout_delay_s)
        return zns_error(-100)
    if fault is not None and fault.startswith("-"):
        return zns_error(int(fault))
    if code:
        return zns_error(code)
    data = {str(k): str(v) for k, v in dict(body["template_data"]).items()}
    message = state.create(phone, template, data, str(body.get("tracking_id") or ""))
    if fault != "offline":
        state.deliver_later(message)
    if fault == "timeout":  # created, but the client gives up before this answer
        time.sleep(state.timeout_delay_s)
    return jsonify(
        error=0,
        message="Success",
        data={
            "msg_id": message.msg_id,
            "sent_time": str(int(message.sent_at.timestamp() * 1000)),
            "sending_mode": "1",
            "quota": {
                "dailyQuota": str(state.daily_quota),
                "remainingQuota": str(state.remaining_quota()),
            },
        },
    )


@zalo_admin.post("/accounts")
def set_account() -> Response:
    data = request.get_json(silent=True) or {}
    with _state().lock:
        _state().accounts[str(data["phone"]).lstrip("+")] = bool(data.get("has_zalo", True))
    return jsonify(ok=True)


@zalo_admin.post("/faults")
def add_fault() -> Response:
    data = request.get_json(silent=True) or {}
    times = data.get("times", 1)
    try:
        _state().add_fault(str(data.get("number", "*")).lstrip("+"), str(data.get("fault")), times)
    except ValueError as error:
        return jsonify(error=-1, message=str(error)), 400  # type: ignore[return-value]
    return jsonify(ok=True)


@zalo_admin.post("/templates/<template_id>/<verdict>")
def judge_template(template_id: str, verdict: str) -> Response:
    with _state().lock:
        if verdict == "reject":
            _state().rejected_templates.add(template_id)
        else:
            _state().rejected_templates.discard(template_id)
    return jsonify(ok=True)


@zalo_admin.post("/tokens/revoke")
def revoke() -> Response:
    _state().revoke_tokens()
    return jsonify(ok=True)


@zalo_admin.get("/messages")
def messages() -> Response:
    rows = [
        {
            "msg_id": m.msg_id,
            "phone": m.phone,
            "template": m.template,
            "text": m.text,
            "tracking_id": m.tracking_id,
            "sent_at": m.sent_at.isoformat(),
            "received_at": m.received_at.isoformat() if m.received_at else None,
        }
        for m in _state().snapshot()
    ]
    return jsonify(messages=rows)


@zalo_admin.post("/messages/<msg_id>/receipt")
def replay_receipt(msg_id: str) -> Response:
    found = next((m for m in _state().snapshot() if m.msg_id == msg_id), None)
    if found is None:
        return jsonify(error=-107, message="Message ID invalid"), 404  # type: ignore[return-value]
    return jsonify(outcome=_state().post_receipt(found))


@zalo_admin.get("/stats")
def stats() -> Response:
    state = _state()
    return jsonify(
        refreshes=[{"at": r.at.isoformat(), "replaced": r.replaced} for r in state.refreshes],
        reused_refresh_tokens=state.reused_refresh_tokens,
        rejected_tokens=state.rejected_tokens,
    )


class UnderscoreHeaders(QuietRequestHandler):
    """Zalo's headers are ``access_token`` and ``secret_key``; Werkzeug's server drops header
    names with underscores (a spoofing guard for proxies), so put them back."""

    def make_environ(self) -> dict[str, object]:  # type: ignore[override]
        environ: dict[str, object] = dict(super().make_environ())
        for key, value in self.headers.items():
            if "_" in key:
                environ["HTTP_" + key.upper().replace("-", "_")] = value
        return environ


class LoudUnderscoreHeaders(UnderscoreHeaders):
    log_request = WSGIRequestHandler.log_request


def create_zalo_app(state: ZaloSandboxState) -> Flask:
    app = Flask(__name__)
    app.extensions["zalo_state"] = state
    app.register_blueprint(zalo_api)
    app.register_blueprint(zalo_admin)
    return app


RunningZalo = RunningSandbox[ZaloSandboxState]


def start_zalo_sandbox(
    state: ZaloSandboxState | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    quiet: bool = True,
) -> RunningZalo:
    """Serve the fake Zalo in a daemon thread; ``port=0`` picks a free port (see ``.url``)."""
    state = state or ZaloSandboxState()
    handler = UnderscoreHeaders if quiet else LoudUnderscoreHeaders
    server = make_server(host, port, create_zalo_app(state), threaded=True, request_handler=handler)
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="zalo-sandbox", daemon=True
    )
    thread.start()
    return RunningZalo(state, server, thread)
