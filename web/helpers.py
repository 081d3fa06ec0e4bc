"""Small presentation helpers shared by templates: icons, labels, names, map links."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import quote

from flask import Flask
from flask_babel import get_locale, lazy_gettext
from markupsafe import Markup

from dispatch.catalogue import BY_KEY
from notifications.recipients import given_name

ICONS = Path(__file__).parent / "static" / "icons"

STATUS_LABELS = {
    "open": lazy_gettext("Waiting for a volunteer"),
    "offered": lazy_gettext("Offered to a volunteer"),
    "scheduled": lazy_gettext("Visit scheduled"),
    "in_progress": lazy_gettext("Volunteer on the way or at the door"),
    "done": lazy_gettext("Done"),
    "cancelled": lazy_gettext("Cancelled"),
    "accepted": lazy_gettext("Accepted"),
    "declined": lazy_gettext("Declined"),
    "expired": lazy_gettext("Expired"),
    "withdrawn": lazy_gettext("Withdrawn"),
}

OUTCOME_LABELS = {
    "resolved": lazy_gettext("Done: the resident's need is solved"),
    "partly_resolved": lazy_gettext("Partly done: needs another visit"),
    "not_resolved": lazy_gettext("Could not be solved"),
    "resident_absent": lazy_gettext("Resident not at home"),
}

EVENT_LABELS = {
    "request.submitted": lazy_gettext("Request received"),
    "request.cancelled": lazy_gettext("Request cancelled"),
    "request.rescheduled": lazy_gettext("Resident asked for another time"),
    "assignment.offered": lazy_gettext("Offered to a volunteer"),
    "assignment.changed": lazy_gettext("Visit time changed by the planner"),
    "assignment.withdrawn": lazy_gettext("Visit withdrawn"),
    "assignment.overridden": lazy_gettext("Reassigned by a coordinator"),
    "assignment.locked": lazy_gettext("Visit locked"),
    "assignment.unlocked": lazy_gettext("Visit unlocked"),
    "offer.accepted": lazy_gettext("Volunteer accepted"),
    "offer.declined": lazy_gettext("Volunteer declined"),
    "offer.expired": lazy_gettext("Offer expired without an answer"),
    "visit.started": lazy_gettext("Visit started"),
    "visit.completed": lazy_gettext("Visit finished"),
}

CHANNEL_LABELS = {
    "sms": lazy_gettext("SMS"),
    "web": lazy_gettext("Web form"),
    "coordinator": lazy_gettext("Coordinator"),
    "api": lazy_gettext("Partner API"),
}


def lang() -> str:
    return str(get_locale() or "vi")


@cache
def _icon_markup(name: str) -> str:
    path = ICONS / f"{name}.svg"
    if not path.is_file() or not name.replace("_", "").isalnum():
        return ""
    return path.read_text(encoding="utf-8").strip()


def icon(name: str, css_class: str = "icon") -> Markup:
    """An icon from ``static/icons`` inlined (so it takes the text colour)."""
    svg = _icon_markup(name)
    return Markup(svg.replace("<svg ", f'<svg class="{css_class}" ', 1))


def kind_label(key: str) -> str:
    kind = BY_KEY.get(key)
    return kind.label(lang()) if kind else key


def kind_bring(key: str) -> str:
    kind = BY_KEY.get(key)
    return kind.bring(lang()) if kind else ""


def status_label(status: object) -> str:
    return str(STATUS_LABELS.get(str(status), str(status)))


def event_label(event_type: str) -> str:
    label = EVENT_LABELS.get(event_type)
    return f"{label} ({event_type})" if label else event_type


def geo_link(lat: float, lon: float, label: str = "") -> str:
    """A ``geo:`` URI that opens the phone's map app at the place."""
    query = f"?q={lat:.6f},{lon:.6f}" + (f"({quote(label)})" if label else "")
    return f"geo:{lat:.6f},{lon:.6f}{query}"


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        icon=icon,
        kind_label=kind_label,
        kind_bring=kind_bring,
        status_label=status_label,
        event_label=event_label,
        first_name=given_name,
        geo_link=geo_link,
        OUTCOME_LABELS=OUTCOME_LABELS,
        CHANNEL_LABELS=CHANNEL_LABELS,
    )
