"""Coverage pages: households reached per hamlet, commune and province, by day, a map, and the
monthly report (a row per hamlet) as CSV or Excel. Scoped to the coordinator's communes."""

from __future__ import annotations

import calendar
from datetime import date

from flask import abort, g, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from dispatch.campaign_items import DIFFICULTIES, ITEMS
from dispatch.models import Hamlet
from dispatch.services.coverage import REPORT_HEADER, Coverage, coverage, report_rows
from dispatch.services.tables import to_csv, to_xlsx
from web.coordinator.auth import coordinator_required
from web.coordinator.blueprint import bp
from web.coordinator.campaigns import campaign_of
from web.coverage_map import coverage_map
from web.extensions import db


def _month() -> tuple[str, date | None]:
    raw = request.args.get("month", "")
    try:
        year, month = (int(part) for part in raw.split("-"))
        return raw, date(year, month, calendar.monthrange(year, month)[1])
    except ValueError:
        return "", None


def _scope() -> tuple[Coverage, dict[str, object]]:
    communes = list(g.communes)
    chosen = request.args.get("commune", "")
    if chosen:
        if chosen not in g.communes:
            abort(404)
        communes = [chosen]
    hamlets, campaign_id = None, None
    raw_campaign = request.args.get("campaign", "")
    campaign = None
    if raw_campaign:
        if not raw_campaign.isdigit():
            abort(404)
        campaign = campaign_of(int(raw_campaign))
        communes, hamlets, campaign_id = [campaign.commune_code], campaign.hamlets, campaign.id
    month, until = _month()
    result = coverage(db(), communes, hamlets=hamlets, campaign_id=campaign_id, until=until)
    args = {"commune": chosen, "campaign": raw_campaign, "month": month}
    return result, {"campaign": campaign, "args": {k: v for k, v in args.items() if v}}


@bp.get("/coverage", endpoint="coverage")
@coordinator_required
def coverage_page() -> str:
    result, extra = _scope()
    legend = ["<20%", "20–40%", "40–60%", "60–80%", "≥80%"]
    return render_template(
        "coordinator/coverage.html",
        result=result,
        items=ITEMS,
        difficulties=list(DIFFICULTIES),
        map_svg=coverage_map(result.hamlets, _("Households reached per hamlet"), legend),
        title=_("Coverage"),
        **extra,
    )


def _report() -> tuple[list[list[object]], str]:
    result, extra = _scope()
    commune_of = dict(
        db()
        .execute(
            select(Hamlet.code, Hamlet.commune_code).where(Hamlet.commune_code.in_(g.communes))
        )
        .all()
    )
    args = extra["args"]
    assert isinstance(args, dict)
    name = "doorstep-coverage" + "".join(f"-{v}" for v in args.values())
    return report_rows(result, commune_of), name


@bp.get("/coverage.csv")
@coordinator_required
def coverage_csv() -> Response:
    rows, name = _report()
    disposition = f'attachment; filename="{name}.csv"'
    return Response(
        to_csv(REPORT_HEADER, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": disposition},
    )


@bp.get("/coverage.xlsx")
@coordinator_required
def coverage_xlsx() -> Response:
    rows, name = _report()
    return Response(
        to_xlsx("coverage", REPORT_HEADER, rows),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )
