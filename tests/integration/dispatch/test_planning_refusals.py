"""A volunteer who declined a request (or let its offer expire) is never offered it again."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy.orm import Session

from dispatch.models import HelpRequest, VolunteerShift
from dispatch.planning import planned_visits, solve
from dispatch.planning_refusals import coordinator_reason
from dispatch.planning_scenario import build_problem
from dispatch.services import (
    AcceptOffer,
    DeclineOffer,
    OfferAssignment,
    SubmitRequest,
    accept,
    decline,
    expire_due,
    offer,
    submit,
)
from dispatch.services.unit_of_work import unit_of_work
from scheduler.checker import check
from scheduler.parallel import WORKERS_SETTING
from tests.integration.dispatch.conftest import NOW, World


def _request(session: Session, world: World, kind: str, n: int) -> HelpRequest:
    cmd = SubmitRequest(phone=f"+8498700030{n}", kind=kind, commune_code=world.commune.code)
    with unit_of_work(session):
        return submit(session, cmd, NOW).request


def _offer(session: Session, req: HelpRequest, volunteer_id: int) -> int:
    start = NOW + timedelta(hours=3)
    cmd = OfferAssignment(
        req.id, volunteer_id, start, start + timedelta(minutes=45), NOW + timedelta(hours=1)
    )
    with unit_of_work(session):
        return offer(session, cmd, NOW).id


@pytest.mark.parametrize("workers", [1, 2])
def test_who_said_no_is_never_offered_the_request_again(
    db_session: Session, world: World, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(WORKERS_SETTING, str(workers))
    for v in (world.alice, world.bao):
        v.shifts = [
            VolunteerShift(weekday=d, start_local=time(7), end_local=time(21)) for d in range(7)
        ]
    declined, lapsed, only_alice = (
        _request(db_session, world, "vneid", 1),
        _request(db_session, world, "vneid", 2),
        _request(db_session, world, "e_payment", 3),  # alice alone has e_payment
    )
    refused = _offer(db_session, declined, world.alice.id)
    _offer(db_session, lapsed, world.bao.id)
    _offer(db_session, only_alice, world.alice.id)
    with unit_of_work(db_session):
        decline(db_session, DeclineOffer(refused, "v", "ốm"), NOW)
        expire_due(db_session, NOW + timedelta(hours=2))  # bao and alice let theirs lapse

    problem = build_problem(db_session, world.commune.code, NOW + timedelta(hours=2))
    plan = solve(problem, time_limit_s=2.0)

    who = {v.request_id: v.volunteer_id for v in planned_visits(plan)}
    assert who == {declined.id: world.bao.id, lapsed.id: world.alice.id}
    reasons = [coordinator_reason(u.reason) for u in plan.unassigned]
    assert reasons == ["every volunteer able to do it has declined it"]
    assert plan.solver["workers"] == workers


def test_a_visit_handed_back_to_who_declined_it_stays_with_them(
    db_session: Session, world: World
) -> None:
    world.alice.shifts = [
        VolunteerShift(weekday=d, start_local=time(7), end_local=time(21)) for d in range(7)
    ]
    req = _request(db_session, world, "e_payment", 4)
    refused = _offer(db_session, req, world.alice.id)
    with unit_of_work(db_session):
        decline(db_session, DeclineOffer(refused, "v", "bận"), NOW)
    # She agreed on the phone after all: the coordinator offers it again and she accepts.
    again = _offer(db_session, req, world.alice.id)
    with unit_of_work(db_session):
        accept(db_session, AcceptOffer(again, actor="v"), NOW)

    problem = build_problem(db_session, world.commune.code, NOW)
    plan = solve(problem, time_limit_s=1.0)

    assert check(problem.scenario, plan) == []
    assert [(v.request_id, v.volunteer_id) for v in planned_visits(plan)] == [
        (req.id, world.alice.id)
    ]
