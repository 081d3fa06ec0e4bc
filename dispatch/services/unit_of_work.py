"""Where a transaction begins and ends: one unit of work per entry point.

An entry point (a web view, an RQ job, an inbound SMS step, a CLI command, the outbox relay)
opens ``unit_of_work(session)`` (or ``unit_of_work_from(sessions)`` for a session of its own)
around what it writes; leaving the block commits everything once, an error rolls it all back.
So a reader finds the transaction of each entry point in one ``with`` statement, and two
services called in one block share one commit.

Services never commit. Each runs its writes in ``atomic(session)``, which refuses to run with
no unit of work open (a missed entry point fails loudly, in tests first) and is a savepoint:
a service's failure undoes that service alone, so a caller that catches it on purpose (the
plan write-back per change, offer expiry per offer) keeps the rest of its unit. A
``session.commit()`` inside an open unit is refused for the same reason.

Stale versions become ``Conflict``, and so does SQLite's "database is locked" (a writer got in
between), exactly as the services used to raise them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from dispatch.db import begin_write
from dispatch.services.errors import Conflict

_OPEN = "doorstep.unit_of_work"  # in session.info: a unit of work is open on this session
_COMMITTING = "doorstep.unit_of_work.committing"


class NoUnitOfWork(RuntimeError):
    """A service ran outside any unit of work, or a unit was opened twice: a wiring bug."""


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """Commit what the block wrote, once, or roll it all back (caller's pending changes too).

    On SQLite the transaction starts as a writer (``begin_write``): a read-then-write
    transaction would otherwise fail at once when another writer committed in between.
    """
    if session.info.get(_OPEN):
        raise NoUnitOfWork("a unit of work is already open on this session: open one per entry")
    begin_write(session)
    session.info[_OPEN] = True
    try:
        yield session
        session.flush()
        session.info[_COMMITTING] = True
        session.commit()
    except StaleDataError as exc:
        session.rollback()
        raise Conflict(f"changed by someone else meanwhile: {exc}") from exc
    except OperationalError as exc:
        session.rollback()
        if "database is locked" in str(exc.orig):  # SQLite: a writer got in between
            raise Conflict("the database was busy with another change; try again") from exc
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(_OPEN, None)
        session.info.pop(_COMMITTING, None)


@contextmanager
def unit_of_work_from(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A new session with a unit of work open on it; closed at the end of the block."""
    with sessions() as session, unit_of_work(session):
        yield session


def in_unit_of_work(session: Session) -> bool:
    return bool(session.info.get(_OPEN))


@contextmanager
def atomic(session: Session) -> Iterator[None]:
    """A service's writes: a savepoint inside the caller's unit of work, never a commit."""
    if not session.info.get(_OPEN):
        raise NoUnitOfWork(
            "a service was called with no unit of work open: its entry point must wrap the "
            "call in `with unit_of_work(session):` (dispatch.services.unit_of_work)"
        )
    try:
        with session.begin_nested():
            yield
            session.flush()
    except StaleDataError as exc:
        raise Conflict(f"changed by someone else meanwhile: {exc}") from exc


@event.listens_for(Session, "before_commit")
def _only_the_unit_commits(session: Session) -> None:
    # Savepoints (``atomic``) and the unit's own commit pass; any other commit inside an open
    # unit would split the entry point's one transaction in two.
    if session.info.get(_OPEN) and not session.info.get(_COMMITTING):
        if session.in_nested_transaction():
            return
        raise NoUnitOfWork("session.commit() inside a unit of work: only the entry point commits")
