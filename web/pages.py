"""Pages shared by every audience: the start page and error pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, MethodNotAllowed

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    return render_template("home.html")


@bp.app_errorhandler(404)
def not_found(_error: HTTPException) -> tuple[Any, int]:
    if request.path.startswith("/api/"):
        return jsonify(error="not found"), 404
    message = _("This page does not exist, or the link has expired.")
    return render_template("error.html", title=_("Not found"), message=message), 404


@bp.app_errorhandler(405)
def not_allowed(error: MethodNotAllowed) -> tuple[Any, int, dict[str, str]]:
    headers = {"Allow": ", ".join(error.valid_methods or [])}
    if request.path.startswith("/api/"):
        return jsonify(error="method not allowed"), 405, headers
    message = _("This page does not accept that kind of request.")
    return render_template("error.html", title=_("Not allowed"), message=message), 405, headers


@bp.app_errorhandler(403)
def forbidden(_error: HTTPException) -> tuple[str, int]:
    message = _("You are not allowed to see this page.")
    return render_template("error.html", title=_("Not allowed"), message=message), 403
