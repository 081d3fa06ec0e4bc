"""Two identical submits at the same moment store one request (PostgreSQL advisory lock).

SQLite lets one writer in at a time (BEGIN IMMEDIATE); on PostgreSQL the dedupe read and the
insert would interleave without ``lock_for_transaction``.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dispatch.models import HelpRequest
from dispatch.services import SubmitRequest, SubmitResult, submit
from dispatch.services.unit_of_work import unit_of_work
from tests.fixtures.db import is_postgres
from tests.integration.dispatch.conftest import NOW, build_world

PHONES = [f"+8498700{n:04d}" for n in range(4)]  # 8 threads: within the default pool


@pytest.mark.skipif(not is_postgres(), reason="needs DATABASE_URL on PostgreSQL")
def test_simultaneous_identical_submits_store_one_request(
    fresh_session_factory: sessionmaker[Session],
) -> None:
    with fresh_session_factory() as session:
        commune_code = build_world(session).commune.code
    # Several phones, two submits each released together, so an unserialised dedupe would
    # let at least one pair through twice.
    commands = [
        SubmitRequest(phone=phone, kind="vneid", commune_code=commune_code, channel="sms")
        for phone in PHONES
        for _ in range(2)
    ]
    start = threading.Barrier(len(commands), timeout=20)
    results: list[SubmitResult] = []
    errors: list[BaseException] = []

    def run(cmd: SubmitRequest) -> None:
        try:
            with fresh_session_factory() as session:
                session.execute(select(1))  # connect first, so the submits start together
                session.commit()
                start.wait()
                with unit_of_work(session):
                    results.append(submit(session, cmd, NOW))
        except BaseException as exc:  # surfaced below; a thread cannot fail the test
            start.abort()
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(cmd,)) for cmd in commands]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    assert errors == []
    assert sorted(r.created for r in results) == [False] * len(PHONES) + [True] * len(PHONES)
    with fresh_session_factory() as session:
        stored = session.scalar(select(func.count()).select_from(HelpRequest))
    assert stored == len(PHONES)
