"""The household register: a list per hamlet of the coordinator's communes, and its import
(CSV or .xlsx, dry run naming every bad row, upsert by household code)."""

from __future__ import annotations

from flask import flash, g, render_template, request
from flask_babel import gettext as _
from sqlalchemy import func, select

from dispatch.clock import utcnow
from dispatch.models import Hamlet, Household
from dispatch.services import household_import
from dispatch.services.unit_of_work import unit_of_work
from notifications.phone import to_e164
from web.coordinator.auth import actor, coordinator_required
from web.coordinator.blueprint import bp
from web.coordinator.imports import shown
from web.extensions import db

MAX_UPLOAD_BYTES = 4 * 1024 * 1024  # an .xlsx of a few thousand households
PAGE = 200


@bp.get("/households")
@coordinator_required
def households() -> str:
    session = db()
    hamlets = list(
        session.scalars(
            select(Hamlet).where(Hamlet.commune_code.in_(g.communes)).order_by(Hamlet.code)
        )
    )
    counts = dict(
        session.execute(
            select(Household.hamlet_code, func.count())
            .where(Household.commune_code.in_(g.communes))
            .group_by(Household.hamlet_code)
        ).all()
    )
    chosen = request.args.get("hamlet", "")
    shown_hamlet = next((h for h in hamlets if h.code == chosen), None)
    rows = []
    if shown_hamlet is not None:
        rows = list(
            session.scalars(
                select(Household)
                .where(Household.hamlet_code == shown_hamlet.code)
                .order_by(Household.code)
                .limit(PAGE)
            )
        )
    return render_template(
        "coordinator/households.html",
        hamlets=hamlets,
        counts=counts,
        hamlet=shown_hamlet,
        rows=rows,
        title=_("Households"),
    )


def _upload() -> bytes | None:
    upload = request.files.get("file")
    raw = upload.read(MAX_UPLOAD_BYTES + 1) if upload else b""
    if not raw or len(raw) > MAX_UPLOAD_BYTES:
        flash(_("Choose a CSV or .xlsx file (at most 4 MB)."), "error")
        return None
    return raw


@bp.route("/households/import", methods=["GET", "POST"])
@coordinator_required
def households_import() -> tuple[str, int]:
    page = {
        "heading": _("Import households (CSV or Excel)"),
        "columns": ", ".join(household_import.COLUMNS),
        "title": _("Import"),
        "accept": ".csv,.xlsx,text/csv",
    }
    if request.method == "GET":
        return render_template("coordinator/import.html", report=None, **page), 200
    data = _upload()
    if data is None:
        return render_template("coordinator/import.html", report=None, **page), 400
    report = household_import.parse(db(), data, g.communes, to_e164)
    if request.form.get("apply") == "1" and not report.errors:
        with unit_of_work(db()):
            household_import.apply(db(), report, actor(), utcnow())
    status = 400 if report.errors else 200
    return render_template("coordinator/import.html", report=shown(report), **page), status
