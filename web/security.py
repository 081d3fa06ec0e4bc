"""CSRF on every form, a strict content security policy and the other response headers.

No inline script or style is allowed (``'self'`` only): all JavaScript and CSS are static files
served by the app, charts are server-drawn SVG with presentation attributes.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Status links carry a secret token: never leak a URL to another site.
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _add_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _csrf_failed(error: CSRFError) -> tuple[str, int]:
    g.csrf_refused = True  # lets a test tell this 400 from a view's own
    message = _("This form has expired. Please go back, reload the page and try again.")
    return render_template("error.html", title=_("Form expired"), message=message), 400


def _unstorable(text: str) -> bool:
    """NUL (PostgreSQL refuses it) or a lone surrogate (not encodable as UTF-8)."""
    return "\x00" in text or any("\ud800" <= ch <= "\udfff" for ch in text)


def _walk(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(key)
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _refuse_unstorable_text() -> Response | tuple[Response, int] | None:
    """Text no database can store is a client error (400), never a server error."""
    texts = [
        *_walk(list((request.view_args or {}).values())),
        *request.args.values(),
        *request.form.values(),
    ]
    if request.is_json:
        texts.extend(_walk(request.get_json(silent=True)))
    if any(_unstorable(text) for text in texts):
        if request.path.startswith("/api/"):
            return jsonify(error="text must not contain NUL characters or lone surrogates"), 400
        raise BadRequest("unreadable characters in the request")
    return None


def init_app(app: Flask) -> None:
    # Before CSRF's own check, so a malformed request never reaches a view.
    app.before_request(_refuse_unstorable_text)
    csrf.init_app(app)
    app.after_request(_add_headers)
    app.register_error_handler(CSRFError, _csrf_failed)
