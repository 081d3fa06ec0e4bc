"""Board (volunteers' days on a time line), escalations and the dashboard (with CSV)."""

from __future__ import annotations

import csv
import io
from datetime import date, time, timedelta
from typing import Any

from flask import current_app, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response

from dispatch.clock import local_to_utc, to_local, utcnow
from dispatch.models import Commune
from dispatch.services.ledger import cost_ledger, recent_alerts
from dispatch.services.panel_queries import board as board_rows
from dispatch.services.panel_queries import dashboard as dashboard_figures
from dispatch.services.panel_queries import escalations as escalation_rows
from dispatch.states import RequestStatus
from web.charts import bar_chart, board_timeline
from web.coordinator.auth import coordinator_required
from web.coordinator.blueprint import bp
from web.extensions import db
from web.helpers import kind_label, status_label

ESCALATION_LABELS = {
    "waiting": _l("Waiting too long without a volunteer"),
    "declined_twice": _l("Declined twice or more"),
    "sms_failed": _l("An SMS could not be delivered"),
}
CHANNEL_LABELS = {
    "zalo": _l("Zalo (ZNS)"),
    "twilio": _l("SMS (Twilio)"),
    "android_gateway": _l("SMS (gateway phone)"),
}
ALERT_DAYS = 7


def channel_label(channel: str) -> str:
    return str(CHANNEL_LABELS.get(channel, channel))


def _day_arg(name: str, default: date) -> date:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return default


def _communes_arg() -> list[str]:
    chosen = request.args.get("commune", "")
    return [chosen] if chosen in g.communes else list(g.communes)


@bp.get("/board")
@coordinator_required
def board() -> str:
    today = to_local(utcnow()).date()
    day = _day_arg("day", today)
    rows = board_rows(db(), _communes_arg(), day)
    drawn = board_timeline(
        [
            (
                row.volunteer.name,
                [
                    (
                        v.start_at,
                        v.end_at,
                        str(v.status),
                        kind_label(v.request.kind),
                        str(v.request_id),
                    )
                    for v in row.visits
                ],
            )
            for row in rows
        ],
        link=lambda request_id: url_for("coordinator.request_page", request_id=int(request_id)),
    )
    return render_template(
        "coordinator/board.html",
        rows=rows,
        drawn=drawn,
        day=day,
        previous=day - timedelta(days=1),
        following=day + timedelta(days=1),
        commune=request.args.get("commune", ""),
        title=_("Board"),
    )


@bp.get("/escalations")
@coordinator_required
def escalations() -> str:
    hours = float(current_app.config.get("ESCALATION_WAITING_HOURS", 2))
    rows = escalation_rows(db(), list(g.communes), utcnow(), timedelta(hours=hours))
    labels = {key: str(text) for key, text in ESCALATION_LABELS.items()}
    return render_template(
        "coordinator/escalations.html",
        rows=rows,
        labels=labels,
        hours=hours,
        title=_("Escalations"),
    )


def _period() -> tuple[date, date]:
    today = to_local(utcnow()).date()
    start = _day_arg("from", today - timedelta(days=29))
    end = _day_arg("to", today)
    return (start, end) if start <= end else (end, start)


def _figures() -> tuple[Any, date, date]:
    start, end = _period()
    span = local_to_utc(start, time(0)), local_to_utc(end + timedelta(days=1), time(0))
    figures = dashboard_figures(db(), _communes_arg(), *span)
    figures.ledger = cost_ledger(db(), _communes_arg(), *span)
    return figures, start, end


@bp.get("/dashboard")
@coordinator_required
def dashboard() -> str:
    figures, start, end = _figures()
    statuses = [s.value for s in RequestStatus]
    charts = {
        "status": bar_chart(
            [(status_label(s), figures.by_status.get(s, 0)) for s in statuses], _("By status")
        ),
        "kind": bar_chart(
            [(kind_label(k), n) for k, n in figures.by_kind.most_common()], _("By kind of help")
        ),
        "segments": bar_chart(
            sorted(figures.segments_by_commune.items()), _("SMS segments per commune")
        ),
        "days": bar_chart(
            [(d.strftime("%d/%m"), n) for d, n in sorted(figures.per_day.items())],
            _("Requests per day"),
        ),
        "channels": bar_chart(
            [(channel_label(c), n) for c, n in _per_channel(figures.ledger).items()],
            _("Messages sent per channel"),
        ),
    }
    return render_template(
        "coordinator/dashboard.html",
        figures=figures,
        charts=charts,
        start=start,
        end=end,
        commune=request.args.get("commune", ""),
        channel_label=channel_label,
        commune_names={c.code: c.name for c in db().scalars(select(Commune))},
        local=to_local,
        alerts=recent_alerts(db(), utcnow() - timedelta(days=ALERT_DAYS)),
        title=_("Dashboard"),
    )


def _per_channel(ledger: list[Any]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for row in ledger:
        totals[row.channel] = totals.get(row.channel, 0) + row.messages
    return dict(sorted(totals.items()))


@bp.get("/dashboard.csv")
@coordinator_required
def dashboard_csv() -> Response:
    figures, start, end = _figures()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["metric", "key", "value"])
    writer.writerow(["period", "from", start.isoformat()])
    writer.writerow(["period", "to", end.isoformat()])
    for status, n in sorted(figures.by_status.items()):
        writer.writerow(["requests_by_status", status, n])
    for kind, n in sorted(figures.by_kind.items()):
        writer.writerow(["requests_by_kind", kind, n])
    for commune, n in sorted(figures.segments_by_commune.items()):
        writer.writerow(["sms_segments", commune, n])
    for row in figures.ledger:
        key = f"{row.day.isoformat()}/{row.commune_code}/{row.channel}"
        writer.writerow(["ledger_messages", key, row.messages])
        writer.writerow(["ledger_sms_segments", key, row.segments])
    for key, value in [
        ("median_minutes_to_offer", figures.median_minutes_to_offer),
        ("median_minutes_to_visit", figures.median_minutes_to_visit),
        ("completion_rate", figures.completion_rate),
    ]:
        writer.writerow(["summary", key, "" if value is None else f"{value:.2f}"])
    name = f"doorstep-dashboard-{start.isoformat()}-{end.isoformat()}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
