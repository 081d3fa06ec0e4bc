"""Coordinator sign-in: username + password, rate limited, session rotated on login.

``coordinator_required`` loads the user into ``g.user`` and ``g.communes`` (the communes this
user may see: every commune for an admin, the assigned ones for a coordinator). Every object
lookup goes through ``g.communes`` so another commune's request answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from dispatch.models import Commune, User
from web.coordinator.blueprint import bp
from web.extensions import db
from web.i18n import clear_session_keeping_language
from web.ratelimit import enforce

F = TypeVar("F", bound=Callable[..., Any])

LOGIN_LIMIT_PER_USER = 10  # attempts per 15 minutes for one username
LOGIN_LIMIT_PER_IP = 30


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username"), validators=[DataRequired(_l("Please enter your username."))]
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Please enter your password."))]
    )


def _load_user() -> User | None:
    user_id = session.get("coordinator_id")
    if user_id is None:
        return None
    user = db().get(User, int(user_id))
    return user if user is not None and user.active else None


def visible_communes(user: User) -> list[str]:
    if user.is_admin:
        return list(db().scalars(select(Commune.code).order_by(Commune.name)))
    return sorted(c.code for c in user.communes)


def coordinator_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = _load_user()
        if user is None:
            return redirect(url_for("coordinator.login", next=request.full_path.rstrip("?")))
        g.user = user
        g.communes = visible_communes(user)
        return view(*args, **kwargs)

    return cast(F, wrapped)


def actor() -> str:
    """How audit rows name the signed-in coordinator."""
    return f"coordinator:{g.user.username}"


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/c/") and not target.startswith("//"):
        return target
    return url_for("coordinator.queue_page")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    form = LoginForm()
    if form.validate_on_submit():
        username = (form.username.data or "").strip()
        enforce("coordinator-login-ip", request.remote_addr or "?", LOGIN_LIMIT_PER_IP, 900)
        enforce("coordinator-login-user", username.lower(), LOGIN_LIMIT_PER_USER, 900)
        user = db().scalar(select(User).where(User.username == username))
        if user is not None and user.active and user.check_password(form.password.data or ""):
            clear_session_keeping_language()  # a fresh session on sign-in: no fixation
            session["coordinator_id"] = user.id
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Wrong username or password."), "error")
    return render_template("coordinator/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    clear_session_keeping_language()
    return redirect(url_for("coordinator.login"))
