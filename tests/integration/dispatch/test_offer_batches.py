"""Letters for a volunteer's live visits, the offers of one plan run told together
(OffersMade), and service calls nested in one transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.events import AssignmentOffered
from dispatch.models import Assignment, Event, HelpRequest, PlanRun
from dispatch.services import (
    ApplyPlan,
    DeclineOffer,
    NewOffer,
    NotFound,
    PlannedVisit,
    SubmitRequest,
    apply_plan_changes,
    decline,
    diff_plan,
    submit,
)
from dispatch.services.unit_of_work import unit_of_work
from tests.integration.dispatch.conftest import NOW, World

TTL = timedelta(hours=2)


def _requests(session: Session, world: World, n: int) -> list[HelpRequest]:
    with unit_of_work(session):
        return [
            submit(
                session,
                SubmitRequest(
                    phone=f"+8498700020{i}", kind="vneid", commune_code=world.commune.code
                ),
                NOW,
            ).request
            for i in range(n)
        ]


def _new(request: HelpRequest, volunteer_id: int, hours: float) -> NewOffer:
    start = NOW + timedelta(hours=2 + hours)
    return NewOffer(request.id, volunteer_id, start, start + timedelta(minutes=45))


def _offer(session: Session, world: World, changes: list[NewOffer]) -> list[int]:
    """The changes applied outside any plan run, in their own unit of work; the new ids."""
    with unit_of_work(session):
        return apply_plan_changes(session, ApplyPlan(world.commune.code, changes, TTL), NOW).offered


def _run(session: Session, world: World) -> int:
    run = PlanRun(commune_code=world.commune.code, started_at=NOW)
    session.add(run)
    session.commit()
    return run.id


def _events(session: Session, event_type: str) -> list[dict[str, object]]:
    rows = session.scalars(select(Event).where(Event.type == event_type).order_by(Event.id))
    return [dict(row.payload) for row in rows]


def test_a_plan_run_tells_each_volunteer_of_its_offers_together(
    db_session: Session, world: World
) -> None:
    r1, r2, r3 = _requests(db_session, world, 3)
    run_id = _run(db_session, world)
    changes = [_new(r1, world.alice.id, 0), _new(r2, world.alice.id, 1), _new(r3, world.bao.id, 0)]
    with unit_of_work(db_session):
        applied = apply_plan_changes(
            db_session, ApplyPlan(world.commune.code, changes, TTL, plan_run_id=run_id), NOW
        )
    made = _events(db_session, "offers.made")
    by_volunteer = {m["volunteer_id"]: m["assignment_ids"] for m in made}
    assert by_volunteer == {
        world.alice.id: applied.offered[:2],
        world.bao.id: applied.offered[2:],
    }
    assert all(m["plan_run_id"] == run_id for m in made)
    offered = [AssignmentOffered.from_payload(p) for p in _events(db_session, "assignment.offered")]
    assert all(e.batched and e.plan_run_id == run_id for e in offered)
    letters = {(a.volunteer_id, a.letter) for a in db_session.scalars(select(Assignment)).all()}
    assert letters == {(world.alice.id, "A"), (world.alice.id, "B"), (world.bao.id, "A")}


def test_offers_outside_a_plan_run_are_not_batched(db_session: Session, world: World) -> None:
    (r1,) = _requests(db_session, world, 1)
    _offer(db_session, world, [_new(r1, world.alice.id, 0)])
    assert _events(db_session, "offers.made") == []
    [offered] = _events(db_session, "assignment.offered")
    assert offered["batched"] is False


def test_a_letter_is_free_again_once_its_visit_is_over(db_session: Session, world: World) -> None:
    r1, r2, r3 = _requests(db_session, world, 3)
    first = _offer(db_session, world, [_new(r1, world.alice.id, 0), _new(r2, world.alice.id, 1)])
    with unit_of_work(db_session):
        decline(db_session, DeclineOffer(first[0], "volunteer"), NOW)
    [third] = _offer(db_session, world, [_new(r3, world.alice.id, 2)])
    letters = {a.id: a.letter for a in db_session.scalars(select(Assignment)).all()}
    assert (letters[first[1]], letters[third]) == ("B", "A")


def test_services_nested_in_one_transaction_commit_once_and_fail_alone(
    db_session: Session, world: World
) -> None:
    r1, r2 = _requests(db_session, world, 2)
    assignments = _offer(
        db_session, world, [_new(r1, world.alice.id, 0), _new(r2, world.bao.id, 0)]
    )
    events_before = db_session.scalar(select(func.count()).select_from(Event))
    with unit_of_work(db_session):
        decline(db_session, DeclineOffer(assignments[0], "volunteer"), NOW)
        with pytest.raises(NotFound):
            decline(db_session, DeclineOffer(999_999, "volunteer"), NOW)  # undone alone
        assert db_session.in_transaction()  # nothing committed yet
    db_session.expire_all()
    assert db_session.get(Assignment, assignments[0]).status == "declined"
    assert db_session.scalar(select(func.count()).select_from(Event)) == events_before + 1

    with pytest.raises(RuntimeError), unit_of_work(db_session):
        decline(db_session, DeclineOffer(assignments[1], "volunteer"), NOW)
        raise RuntimeError("the step failed after the service")
    db_session.expire_all()
    assert db_session.get(Assignment, assignments[1]).status == "offered"  # rolled back too


def test_letters_follow_the_day_not_the_order_requests_came_in(
    db_session: Session, world: World
) -> None:
    r1, r2 = _requests(db_session, world, 2)
    late, early = _new(r1, world.alice.id, 3), _new(r2, world.alice.id, 1)
    visits = [
        PlannedVisit(c.request_id, c.volunteer_id, c.start_at, c.end_at) for c in (late, early)
    ]
    changes = diff_plan(db_session, world.commune.code, visits)
    with unit_of_work(db_session):
        apply_plan_changes(db_session, ApplyPlan(world.commune.code, changes, TTL), NOW)
    letters = {a.request_id: a.letter for a in db_session.scalars(select(Assignment)).all()}
    assert (letters[r2.id], letters[r1.id]) == ("A", "B")
