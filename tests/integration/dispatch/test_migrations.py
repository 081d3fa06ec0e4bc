"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.orm import Session

from dispatch.db import alembic_config, make_engine, upgrade
from dispatch.models import Base, Event


def test_models_and_migrations_agree(db_engine: Engine) -> None:
    with db_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrade_twice_is_harmless(fresh_database_url: str) -> None:
    upgrade(fresh_database_url)
    engine = make_engine(fresh_database_url)
    try:
        tables = set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()
    assert set(Base.metadata.tables) <= tables
    assert head == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_datetimes_round_trip_as_utc(db_session: Session) -> None:
    ict = timezone(timedelta(hours=7))
    created = datetime(2026, 11, 30, 8, 15, tzinfo=ict)
    db_session.add(Event(type="t", payload={"a": 1}, created_at=created))
    db_session.flush()
    db_session.expire_all()
    row = db_session.scalars(select(Event).where(Event.type == "t")).one()
    assert row.created_at == created
    assert row.created_at.tzinfo is UTC or row.created_at.utcoffset() == timedelta(0)
    assert row.created_at.hour == 1


def test_naive_datetime_is_refused(db_session: Session) -> None:
    import pytest
    from sqlalchemy.exc import StatementError

    db_session.add(Event(type="t", payload={}, created_at=datetime(2026, 1, 1, 8, 0)))
    with pytest.raises(StatementError, match="naive datetime"):
        db_session.flush()
