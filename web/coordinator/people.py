"""Volunteers, teams and hamlets: lists, edit, CSV import (dry run first) and CSV export.

Everything is limited to the coordinator's communes; another commune's volunteer answers 404.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from dispatch.catalogue import KINDS
from dispatch.clock import utcnow
from dispatch.models import Hamlet, Team, Volunteer
from dispatch.services import directory, volunteer_import
from dispatch.services.unit_of_work import unit_of_work
from notifications.phone import to_e164
from web.coordinator.auth import actor, coordinator_required
from web.coordinator.blueprint import bp
from web.coordinator.imports import read_csv_upload, shown
from web.extensions import db


def _csv_response(text: str, name: str) -> Response:
    return Response(
        "\ufeff" + text,  # a BOM so spreadsheet programs read Vietnamese correctly
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _volunteers() -> list[Volunteer]:
    return list(
        db().scalars(
            select(Volunteer)
            .where(Volunteer.commune_code.in_(g.communes))
            .options(selectinload(Volunteer.team))
            .order_by(Volunteer.commune_code, Volunteer.name)
        )
    )


@bp.get("/volunteers")
@coordinator_required
def volunteers() -> str:
    return render_template(
        "coordinator/volunteers.html", volunteers=_volunteers(), title=_("Volunteers")
    )


@bp.get("/volunteers.csv")
@coordinator_required
def volunteers_csv() -> Response:
    return _csv_response(volunteer_import.export(_volunteers()), "volunteers.csv")


def _own_volunteer(volunteer_id: int) -> Volunteer:
    volunteer = db().get(Volunteer, volunteer_id)
    if volunteer is None or volunteer.commune_code not in g.communes:
        abort(404)
    return volunteer


def _edit_page(volunteer: Volunteer, errors: list[str], status: int = 200) -> tuple[str, int]:
    teams = db().scalars(select(Team).where(Team.commune_code == volunteer.commune_code))
    page = render_template(
        "coordinator/volunteer_edit.html",
        v=volunteer,
        teams=list(teams),
        kinds=KINDS,
        errors=errors,
        title=volunteer.name,
    )
    return page, status


@bp.get("/volunteers/<int:volunteer_id>")
@coordinator_required
def volunteer_edit(volunteer_id: int) -> tuple[str, int]:
    return _edit_page(_own_volunteer(volunteer_id), [])


def _form_errors(teams: dict[int, Team]) -> tuple[dict[str, Any], list[str]]:
    form, errors = request.form, []
    values: dict[str, Any] = {"name": form.get("name", "").strip()[:120]}
    if not values["name"]:
        errors.append(_("The name is empty."))
    team_raw = form.get("team_id", "")
    if not team_raw.isdigit() or int(team_raw) not in teams:
        errors.append(_("Choose a team of this commune."))
    else:
        values["team_id"] = int(team_raw)
    values["skills"] = [k.key for k in KINDS if form.get(f"skill_{k.key}") == "1"]
    languages = [code for code in ("vi", "km", "en") if form.get(f"lang_{code}") == "1"]
    values["languages"] = languages or ["vi"]
    max_raw = form.get("max_visits_per_shift", "")
    if not max_raw.isdigit() or not 1 <= int(max_raw) <= 20:
        errors.append(_("Visits per shift must be between 1 and 20."))
    else:
        values["max_visits_per_shift"] = int(max_raw)
    values["active"] = form.get("active") == "1"
    return values, errors


@bp.post("/volunteers/<int:volunteer_id>")
@coordinator_required
def volunteer_save(volunteer_id: int) -> Response | tuple[str, int]:
    volunteer = _own_volunteer(volunteer_id)
    teams = {
        t.id: t
        for t in db().scalars(select(Team).where(Team.commune_code == volunteer.commune_code))
    }
    values, errors = _form_errors(teams)
    if errors:
        return _edit_page(volunteer, errors, 400)
    command = directory.EditVolunteer(
        volunteer_id=volunteer.id,
        name=values["name"],
        team_id=values["team_id"],
        skills=tuple(values["skills"]),
        languages=tuple(values["languages"]),
        max_visits_per_shift=values["max_visits_per_shift"],
        active=values["active"],
        actor=actor(),
    )
    with unit_of_work(db()):
        directory.edit_volunteer(db(), command, utcnow())
    flash(_("Saved."), "success")
    return redirect(url_for("coordinator.volunteers"))


@bp.route("/volunteers/import", methods=["GET", "POST"])
@coordinator_required
def volunteers_import() -> str | tuple[str, int]:
    page = {
        "heading": _("Import volunteers from CSV"),
        "columns": ", ".join(volunteer_import.COLUMNS),
        "title": _("Import"),
    }
    if request.method == "GET":
        return render_template("coordinator/import.html", report=None, **page)
    text = read_csv_upload()
    if text is None:
        return render_template("coordinator/import.html", report=None, **page), 400
    # InvalidPhone is a ValueError carrying a reason code, which the report keeps.
    report = volunteer_import.parse(db(), text, g.communes, to_e164)
    if request.form.get("apply") == "1" and not report.errors:
        try:
            with unit_of_work(db()):
                volunteer_import.apply(db(), report, actor(), utcnow())
        except volunteer_import.PhoneOfOtherCommune as error:
            message = _(
                "Line %(line)s: this phone number is a volunteer of another commune;"
                " an admin can move them on the edit page.",
                line=error.line,
            )
            flash(message, "error")
            return render_template("coordinator/import.html", report=shown(report), **page), 400
    status = 400 if report.errors else 200
    return render_template("coordinator/import.html", report=shown(report), **page), status


@bp.get("/teams")
@coordinator_required
def teams() -> str:
    rows = list(
        db().scalars(
            select(Team)
            .where(Team.commune_code.in_(g.communes))
            .order_by(Team.commune_code, Team.name)
        )
    )
    counts: dict[int, int] = {}
    for volunteer in _volunteers():
        counts[volunteer.team_id] = counts.get(volunteer.team_id, 0) + 1
    return render_template("coordinator/teams.html", teams=rows, counts=counts, title=_("Teams"))


@bp.post("/teams/<int:team_id>")
@coordinator_required
def team_save(team_id: int) -> Response:
    team = db().get(Team, team_id)
    if team is None or team.commune_code not in g.communes:
        abort(404)
    name = request.form.get("name", "").strip()[:120]
    if not name:
        flash(_("The name is empty."), "error")
        return redirect(url_for("coordinator.teams"))
    with unit_of_work(db()):
        directory.rename_team(db(), directory.RenameTeam(team.id, name, actor()), utcnow())
    flash(_("Saved."), "success")
    return redirect(url_for("coordinator.teams"))


def _hamlets() -> list[Hamlet]:
    return list(
        db().scalars(
            select(Hamlet)
            .where(Hamlet.commune_code.in_(g.communes))
            .order_by(Hamlet.commune_code, Hamlet.name)
        )
    )


@bp.get("/hamlets")
@coordinator_required
def hamlets() -> str:
    return render_template("coordinator/hamlets.html", hamlets=_hamlets(), title=_("Hamlets"))


@bp.post("/hamlets/<code>")
@coordinator_required
def hamlet_save(code: str) -> Response:
    hamlet = db().get(Hamlet, code)
    if hamlet is None or hamlet.commune_code not in g.communes:
        abort(404)
    name = request.form.get("name", "").strip()[:120]
    try:
        lat, lon = float(request.form.get("lat", "")), float(request.form.get("lon", ""))
    except ValueError:
        flash(_("Latitude and longitude must be numbers."), "error")
        return redirect(url_for("coordinator.hamlets"))
    if not name or not (8 <= lat <= 24 and 102 <= lon <= 110):
        flash(_("Give a name and a place in Vietnam."), "error")
        return redirect(url_for("coordinator.hamlets"))
    with unit_of_work(db()):
        directory.edit_hamlet(db(), directory.EditHamlet(code, name, lat, lon, actor()), utcnow())
    flash(_("Saved."), "success")
    return redirect(url_for("coordinator.hamlets"))


@bp.get("/hamlets.csv")
@coordinator_required
def hamlets_csv() -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "commune", "name", "lat", "lon"])
    for h in _hamlets():
        writer.writerow([h.code, h.commune_code, h.name, f"{h.lat:.6f}", f"{h.lon:.6f}"])
    return _csv_response(out.getvalue(), "hamlets.csv")


@bp.get("/teams.csv")
@coordinator_required
def teams_csv() -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "commune", "hamlet", "name"])
    for t in db().scalars(select(Team).where(Team.commune_code.in_(g.communes)).order_by(Team.id)):
        writer.writerow([t.id, t.commune_code, t.hamlet_code or "", t.name])
    return _csv_response(out.getvalue(), "teams.csv")
