"""The api blueprint, apart from its views so that they can import it without importing
the package that imports them."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__)
