"""A small stand-in for the SMS Gateway for Android REST API (POST/GET /messages), with the
request and response shapes of capcom6/android-sms-gateway, for the channel's tests."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from notifications.sandbox.server import QuietRequestHandler


@dataclass
class FakeGateway:
    login: str
    password: str
    messages: dict[str, dict] = field(default_factory=dict)
    requests: list[dict] = field(default_factory=list)
    next_status: list[int] = field(default_factory=list)
    url: str = ""

    def _json(self, data: object, status: int = 200) -> Response:
        return Response(json.dumps(data), status, content_type="application/json")

    def __call__(self, environ, start_response):
        request = Request(environ)
        expected = base64.b64encode(f"{self.login}:{self.password}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return self._json({"message": "unauthorized"}, 401)(environ, start_response)
        if self.next_status:
            status = self.next_status.pop(0)
            return self._json({"message": f"error {status}"}, status)(environ, start_response)
        return self._route(request)(environ, start_response)

    def _route(self, request: Request) -> Response:
        if request.method == "POST" and request.path == "/messages":
            data = request.get_json()
            self.requests.append(data)
            state = {
                "id": data.get("id") or f"gw{len(self.messages) + 1}",
                "state": "Pending",
                "recipients": [
                    {"phoneNumber": n, "state": "Pending"} for n in data["phoneNumbers"]
                ],
                "isHashed": False,
                "isEncrypted": False,
                "createdAt": datetime.now(UTC).isoformat(),
            }
            self.messages[state["id"]] = state
            return self._json(state, 202)
        if request.method == "GET" and request.path.startswith("/messages/"):
            found = self.messages.get(request.path.removeprefix("/messages/"))
            if found is None:
                return self._json({"message": "message not found"}, 404)
            return self._json(found)
        return self._json({"message": "not found"}, 404)


def start_fake_gateway(login: str, password: str):
    gateway = FakeGateway(login, password)
    server = make_server(
        "127.0.0.1", 0, gateway, threaded=True, request_handler=QuietRequestHandler
    )
    gateway.url = f"http://127.0.0.1:{server.port}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    return gateway, server
