"""Alembic migrations (run with ``dispatch.db.upgrade(url)`` or ``doorstep db upgrade``)."""
