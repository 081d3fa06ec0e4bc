"""Writing a plan back as differences, each with its event; stale changes are skipped."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from dispatch.models import Assignment, HelpRequest
from dispatch.services import (
    AcceptOffer,
    ApplyPlan,
    CancelRequest,
    MoveOffer,
    NewOffer,
    PlannedVisit,
    SetLock,
    SubmitRequest,
    WithdrawOffer,
    accept,
    apply_plan_changes,
    cancel,
    diff_plan,
    set_lock,
    submit,
)
from dispatch.services.unit_of_work import unit_of_work
from dispatch.states import AssignmentStatus as A
from dispatch.states import RequestStatus as R
from tests.integration.dispatch.conftest import NOW, World, event_types

T0 = NOW + timedelta(hours=2)
TTL = timedelta(hours=2)


def _requests(session: Session, world: World, n: int) -> list[HelpRequest]:
    out = []
    for i in range(n):
        cmd = SubmitRequest(phone=f"+8498700010{i}", kind="vneid", commune_code=world.commune.code)
        with unit_of_work(session):
            out.append(submit(session, cmd, NOW).request)
    return out


def _visit(req: HelpRequest, volunteer_id: int, hours: float) -> PlannedVisit:
    start = T0 + timedelta(hours=hours)
    return PlannedVisit(req.id, volunteer_id, start, start + timedelta(minutes=45))


def _apply(session: Session, world: World, visits: list[PlannedVisit]) -> list[object]:
    changes = diff_plan(session, world.commune.code, visits)
    with unit_of_work(session):
        apply_plan_changes(session, ApplyPlan(world.commune.code, changes, TTL), NOW)
    return list(changes)


def test_first_plan_offers_everything(db_session: Session, world: World) -> None:
    r1, r2 = _requests(db_session, world, 2)
    changes = _apply(
        db_session, world, [_visit(r1, world.alice.id, 0), _visit(r2, world.bao.id, 1)]
    )
    assert all(isinstance(c, NewOffer) for c in changes) and len(changes) == 2
    assert r1.status is R.OFFERED and r2.status is R.OFFERED
    offered = r1.assignments[-1]
    assert offered.expires_at == NOW + TTL and offered.source == "solver"
    assert event_types(db_session).count("assignment.offered") == 2


def test_second_plan_writes_only_differences(db_session: Session, world: World) -> None:
    r1, r2, r3, r4 = _requests(db_session, world, 4)
    _apply(
        db_session,
        world,
        [
            _visit(r1, world.alice.id, 0),
            _visit(r2, world.alice.id, 1),
            _visit(r3, world.bao.id, 0),
            _visit(r4, world.bao.id, 2),
        ],
    )
    accepted = r4.assignments[-1]
    with unit_of_work(db_session):
        accept(db_session, AcceptOffer(accepted.id, actor="v"), NOW)
    before = len(event_types(db_session))

    changes = diff_plan(
        db_session,
        world.commune.code,
        [
            _visit(r1, world.alice.id, 0),  # unchanged
            _visit(r2, world.alice.id, 3),  # moved
            _visit(r3, world.alice.id, 1),  # other volunteer
            # r4 left out, but accepted: fixed, stays
        ],
    )
    kinds = sorted(type(c).__name__ for c in changes)
    assert kinds == ["MoveOffer", "NewOffer", "WithdrawOffer"]
    with unit_of_work(db_session):
        result = apply_plan_changes(db_session, ApplyPlan(world.commune.code, changes, TTL), NOW)
    assert result.count == 3 and not result.skipped
    assert sorted(event_types(db_session)[before:]) == [
        "assignment.changed",
        "assignment.offered",
        "assignment.withdrawn",
    ]
    assert r3.assignments[-1].volunteer_id == world.alice.id
    assert accepted.status is A.ACCEPTED


def test_locked_and_accepted_visits_are_never_changed(db_session: Session, world: World) -> None:
    (r1,) = _requests(db_session, world, 1)
    _apply(db_session, world, [_visit(r1, world.alice.id, 0)])
    a = r1.assignments[-1]
    with unit_of_work(db_session):
        set_lock(db_session, SetLock(a.id, True, "coordinator:x", "đã hẹn"), NOW)
    assert diff_plan(db_session, world.commune.code, []) == []


def test_stale_changes_are_skipped_and_the_rest_applied(db_session: Session, world: World) -> None:
    r1, r2, r3 = _requests(db_session, world, 3)
    _apply(db_session, world, [_visit(r1, world.alice.id, 0)])
    a1: Assignment = r1.assignments[-1]
    changes = [
        MoveOffer(a1.id, T0 + timedelta(hours=4), T0 + timedelta(hours=5)),
        NewOffer(r2.id, world.bao.id, T0, T0 + timedelta(minutes=45)),
        NewOffer(r3.id, world.bao.id, T0 + timedelta(hours=1), T0 + timedelta(hours=2)),
        WithdrawOffer(a1.id, "left out"),
    ]
    # The world moves while the solver runs: a1 accepted, r3 cancelled.
    with unit_of_work(db_session):
        accept(db_session, AcceptOffer(a1.id, actor="v"), NOW)
    with unit_of_work(db_session):
        cancel(db_session, CancelRequest(r3.id, actor="resident:x"), NOW)

    with unit_of_work(db_session):
        result = apply_plan_changes(db_session, ApplyPlan(world.commune.code, changes, TTL), NOW)
    assert len(result.offered) == 1 and result.moved == [] and result.withdrawn == []
    assert [type(c).__name__ for c, _ in result.skipped] == [
        "MoveOffer",
        "NewOffer",
        "WithdrawOffer",
    ]
    assert r2.status is R.OFFERED and r3.status is R.CANCELLED
    assert a1.status is A.ACCEPTED and a1.start_at == T0
