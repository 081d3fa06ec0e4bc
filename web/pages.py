"""Pages shared by every audience: the start page and error pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    return render_template("home.html")


@bp.app_errorhandler(404)
def not_found(_error: HTTPException) -> tuple[str, int]:
    message = _("This page does not exist, or the link has expired.")
    return render_template("error.html", title=_("Not found"), message=message), 404


@bp.app_errorhandler(403)
def forbidden(_error: HTTPException) -> tuple[str, int]:
    message = _("You are not allowed to see this page.")
    return render_template("error.html", title=_("Not allowed"), message=message), 403
