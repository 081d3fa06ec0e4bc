"""Vietnamese first, English on request; every time shown in Asia/Ho_Chi_Minh.

The chosen language lives in the session (set by ``/lang/<code>``); the partner API and tests may
also pass ``?lang=en``. Message catalogues are in ``web/translations`` (source strings English,
``vi`` catalogue complete; a test checks no string lacks its Vietnamese).
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, redirect, request, session
from flask_babel import Babel, format_datetime, get_locale
from werkzeug.wrappers import Response

LANGUAGES = ("vi", "en")

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    return "vi"


def select_timezone() -> str:
    return str(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _safe_next(target: str | None) -> str:
    """Only local paths: a language link must never become an open redirect."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def clear_session_keeping_language() -> None:
    """A fresh session (sign-in: no fixation; sign-out) that still speaks the chosen language."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


@bp.get("/lang/<code>")
def switch_language(code: str) -> Response:
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(_safe_next(request.args.get("next")))


def local_time(value: datetime | None, fmt: str = "short") -> str:
    """A UTC instant (naive means UTC) shown in the configured zone and the chosen language."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if fmt == "time":
        return format_datetime(value, "HH:mm")
    if fmt == "day":
        return format_datetime(value, "EEEE dd/MM")
    return format_datetime(value, "HH:mm EEEE dd/MM/yyyy")


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.register_blueprint(bp)
    app.jinja_env.filters["local"] = local_time
    app.jinja_env.filters["isodate"] = datetime.fromisoformat
    app.jinja_env.globals["current_lang"] = lambda: str(get_locale() or "vi")
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
