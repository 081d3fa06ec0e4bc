"""Coordinator panel: password login, queue, request page, overrides, board, lists, dashboard."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g
from sqlalchemy import select

bp = Blueprint("coordinator", __name__)


@bp.context_processor
def _my_communes() -> dict[str, Any]:
    """The communes the signed-in coordinator may see, for the commune pickers."""
    codes = getattr(g, "communes", None)
    if not codes:
        return {"my_communes": []}
    from dispatch.models import Commune
    from web.database import db

    found = db().scalars(select(Commune).where(Commune.code.in_(codes)).order_by(Commune.name))
    return {"my_communes": list(found)}


from web.coordinator import (  # noqa: E402,F401  (routes register on import)
    auth,
    campaigns,
    communes,
    coverage,
    households,
    imports,
    overview,
    people,
    queue,
    requests,
)
