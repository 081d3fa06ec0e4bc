"""The coordinator blueprint, apart from its views so that they can import it without importing
the package that imports them."""

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
    from web.extensions import db

    found = db().scalars(select(Commune).where(Commune.code.in_(codes)).order_by(Commune.name))
    return {"my_communes": list(found)}
