"""Volunteer sign-in: a one-time code by SMS, or the signed link of an offer SMS.

The code is never stored: the signed session keeps an HMAC of (phone, code), an expiry and a
try counter. The answer to "send me a code" is the same whether the number is known or not, so
the form does not reveal who volunteers. A signed-in session expires after
``VOLUNTEER_SESSION_MINUTES``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadSignature
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Regexp

from dispatch.models import Volunteer
from dispatch.services.volunteer_links import (
    CODE_MINUTES,
    code_digest,
    code_matches,
    link_path,
    new_code,
    read_link_token,
)
from web.extensions import db
from web.i18n import clear_session_keeping_language
from web.ratelimit import enforce
from web.resident.forms import phone_e164
from web.volunteer.blueprint import bp
from web.volunteer.sms import queue_sign_in_code

F = TypeVar("F", bound=Callable[..., Any])
MAX_CODE_TRIES = 5


class PhoneForm(FlaskForm):
    phone = StringField(
        _l("Your mobile phone number"),
        validators=[DataRequired(_l("Please enter your phone number."))],
    )


class CodeForm(FlaskForm):
    code = StringField(
        _l("The 6-digit code from the SMS"),
        validators=[
            DataRequired(_l("Please enter the code.")),
            Regexp(r"^\s*\d{6}\s*$", message=_l("The code has 6 digits.")),
        ],
    )


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def signed_login_path(volunteer_id: int, assignment_id: int | None = None) -> str:
    return link_path(_secret(), volunteer_id, assignment_id)


def _start_session(volunteer: Volunteer) -> None:
    clear_session_keeping_language()
    minutes = int(current_app.config["VOLUNTEER_SESSION_MINUTES"])
    session["volunteer_id"] = volunteer.id
    session["volunteer_until"] = int(time.time()) + minutes * 60
    session.permanent = True


def current_volunteer() -> Volunteer | None:
    volunteer_id = session.get("volunteer_id")
    if volunteer_id is None or int(session.get("volunteer_until", 0)) < time.time():
        return None
    volunteer = db().get(Volunteer, int(volunteer_id))
    return volunteer if volunteer is not None and volunteer.active else None


def volunteer_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        volunteer = current_volunteer()
        if volunteer is None:
            if session.pop("volunteer_id", None) is not None:
                flash(_("Your session has ended. Please sign in again."), "warning")
            return redirect(url_for("volunteer.sign_in"))
        g.volunteer = volunteer
        return view(*args, **kwargs)

    return cast(F, wrapped)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Response | str:
    form = PhoneForm()
    if form.validate_on_submit():
        try:
            phone = phone_e164(form.phone.data or "")
        except ValueError as error:  # wtforms' ValidationError is a ValueError
            form.phone.errors = [str(error)]
            return render_template("volunteer/sign_in.html", form=form)
        enforce("volunteer-code-ip", request.remote_addr or "?", 20, 3600)
        enforce("volunteer-code-phone", phone, 5, 3600)
        volunteer = db().scalar(select(Volunteer).where(Volunteer.phone == phone))
        code = new_code()
        if volunteer is not None and volunteer.active:
            queue_sign_in_code(db(), volunteer, code, CODE_MINUTES)
        # The same session state either way, so nothing tells a stranger the number is unknown.
        session["otp_phone"] = phone
        session["otp_digest"] = code_digest(_secret(), phone, code)
        session["otp_until"] = int(time.time()) + CODE_MINUTES * 60
        session["otp_tries"] = 0
        return redirect(url_for("volunteer.enter_code"))
    return render_template("volunteer/sign_in.html", form=form)


@bp.route("/code", methods=["GET", "POST"])
def enter_code() -> Response | str:
    phone = session.get("otp_phone")
    if not phone:
        return redirect(url_for("volunteer.sign_in"))
    form = CodeForm()
    if form.validate_on_submit():
        enforce("volunteer-code-check", str(phone), 10, 3600)
        tries = int(session.get("otp_tries", 0)) + 1
        session["otp_tries"] = tries
        expired = int(session.get("otp_until", 0)) < time.time()
        good = code_matches(_secret(), phone, form.code.data or "", session.get("otp_digest", ""))
        if expired or tries > MAX_CODE_TRIES:
            for key in ("otp_phone", "otp_digest", "otp_until", "otp_tries"):
                session.pop(key, None)
            flash(_("The code has expired. Please ask for a new one."), "error")
            return redirect(url_for("volunteer.sign_in"))
        volunteer = db().scalar(select(Volunteer).where(Volunteer.phone == phone))
        if good and volunteer is not None and volunteer.active:
            _start_session(volunteer)
            return redirect(url_for("volunteer.my_visits"))
        form.code.errors = [_("This code is not right. Please check the SMS and try again.")]
    return render_template("volunteer/code.html", form=form, phone=phone)


@bp.get("/link/<token>")
def signed_link(token: str) -> Response | str:
    enforce("volunteer-link-ip", request.remote_addr or "?", 60, 3600)
    try:
        claim = read_link_token(_secret(), token)
    except BadSignature:
        message = _("This link has expired. Please sign in with your phone number.")
        return render_template("error.html", title=_("Link expired"), message=message), 400
    volunteer = db().get(Volunteer, claim.volunteer_id)
    if volunteer is None or not volunteer.active:
        return render_template(
            "error.html", title=_("Link expired"), message=_("This link is no longer valid.")
        ), 400
    _start_session(volunteer)
    if claim.assignment_id is not None:
        return redirect(url_for("volunteer.my_visits", _anchor=f"visit-{claim.assignment_id}"))
    return redirect(url_for("volunteer.my_visits"))


@bp.post("/sign-out")
def sign_out() -> Response:
    clear_session_keeping_language()
    return redirect(url_for("volunteer.sign_in"))
