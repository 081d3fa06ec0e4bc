"""The unit of work: entry points open it, services refuse to run outside it, nobody else
commits inside it, and what it wrote is committed once when the block ends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dispatch.models import AuditLog, Event, HelpRequest
from dispatch.services import (
    NoUnitOfWork,
    SubmitRequest,
    submit,
    unit_of_work,
    unit_of_work_from,
)
from tests.integration.dispatch.conftest import World, build_world

NOW = datetime(2025, 12, 1, 2, 0, tzinfo=UTC)


def _cmd(world: World, phone: str = "+84987000321") -> SubmitRequest:
    return SubmitRequest(phone=phone, kind="vneid", commune_code=world.commune.code)


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_service_outside_any_unit_of_work_is_refused(db_session: Session, world: World) -> None:
    with pytest.raises(NoUnitOfWork, match="no unit of work open"):
        submit(db_session, _cmd(world), NOW)
    assert _count(db_session, HelpRequest) == 0


def test_a_unit_of_work_is_opened_once_per_entry_point(db_session: Session) -> None:
    with unit_of_work(db_session), pytest.raises(NoUnitOfWork, match="already open"):
        with unit_of_work(db_session):
            pass


def test_only_the_unit_of_work_commits(db_session: Session, world: World) -> None:
    with pytest.raises(NoUnitOfWork, match="only the entry point commits"):
        with unit_of_work(db_session):
            submit(db_session, _cmd(world), NOW)
            db_session.commit()  # e.g. a helper that still commits on its own
    assert _count(db_session, HelpRequest) == 0  # the whole unit was rolled back


def test_two_services_in_one_unit_commit_together_and_are_seen_by_others(
    fresh_session_factory: sessionmaker[Session],
) -> None:
    with fresh_session_factory() as setup:
        world = build_world(setup)
    with unit_of_work_from(fresh_session_factory) as session:
        submit(session, _cmd(world, "+84987000401"), NOW)
        submit(session, _cmd(world, "+84987000402"), NOW)
        with fresh_session_factory() as other:  # nothing visible before the unit ends
            assert _count(other, HelpRequest) == 0
    with fresh_session_factory() as other:
        assert _count(other, HelpRequest) == 2
        assert _count(other, Event) == 2
        assert _count(other, AuditLog) == 2
