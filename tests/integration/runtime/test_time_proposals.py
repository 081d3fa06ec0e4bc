"""A resident's wished time nobody can serve: the nearest time is proposed, never imposed."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from dispatch import planning
from dispatch.clock import local_to_utc, to_local, utcnow
from dispatch.models import Assignment, Event, HelpRequest, TimeProposal
from dispatch.runtime import Runtime
from dispatch.services import (
    AnswerTimeProposal,
    SubmitRequest,
    TimeWindow,
    answer_time_proposal,
    submit,
)
from dispatch.services.unit_of_work import unit_of_work
from dispatch.services.windows import request_windows
from tests.integration.runtime.conftest import COMMUNE


def _ask_late_tomorrow(runtime: Runtime, n: int) -> int:
    """A request for 21:30-23:00 tomorrow: every shift of the commune ends at 21:00."""
    tomorrow = to_local(utcnow()).date() + timedelta(days=1)
    window = TimeWindow(local_to_utc(tomorrow, time(21, 30)), local_to_utc(tomorrow, time(23)))
    with runtime.sessions() as session:
        with unit_of_work(session):
            return submit(
                session,
                SubmitRequest(
                    phone=f"+8498766{n:04d}",
                    kind="vneid",
                    commune_code=COMMUNE,
                    hamlet_code="AG-UMT-01",
                    channel="sms",
                    preferred_windows=(window,),
                ),  # fmt: skip
                utcnow(),
            ).request.id


def _plan(runtime: Runtime) -> None:
    planning.plan_commune(runtime.sessions, COMMUNE, offer_timeout_minutes=120, time_limit_s=1)


def _proposals(runtime: Runtime, request_id: int) -> list[TimeProposal]:
    with runtime.sessions() as session:
        return list(
            session.scalars(select(TimeProposal).where(TimeProposal.request_id == request_id))
        )


def test_nearest_time_is_proposed_once_and_a_yes_becomes_the_visit(runtime: Runtime) -> None:
    request_id = _ask_late_tomorrow(runtime, 1)
    _plan(runtime)
    [proposal] = _proposals(runtime, request_id)
    local_start = to_local(proposal.start_at)
    wished_start = local_to_utc(local_start.date(), time(21, 30))
    # The same evening, before the shifts end, as late as a visit and the ride home allow.
    assert local_start.time() >= time(19, 30) and proposal.end_at <= wished_start
    with runtime.sessions() as session:
        assert session.scalars(select(Assignment)).all() == []  # nothing imposed
        told = session.scalars(select(Event).where(Event.type == "time.proposed")).one()
        assert told.payload["proposal_id"] == proposal.id

    _plan(runtime)  # the next plan does not ask again
    assert len(_proposals(runtime, request_id)) == 1

    with runtime.sessions() as session:
        with unit_of_work(session):
            answer_time_proposal(
                session, AnswerTimeProposal(proposal.id, True, "resident:+84987660001"), utcnow()
            )
        request = session.get(HelpRequest, request_id)
        assert request is not None
        [window] = request_windows(request)
        assert window.start <= proposal.start_at and proposal.end_at <= window.end
    _plan(runtime)
    with runtime.sessions() as session:
        offer = session.scalars(select(Assignment)).one()
        assert window.start <= offer.start_at and offer.end_at <= window.end


def test_a_no_keeps_the_wished_time_and_is_not_asked_again(runtime: Runtime) -> None:
    request_id = _ask_late_tomorrow(runtime, 2)
    _plan(runtime)
    [proposal] = _proposals(runtime, request_id)
    with runtime.sessions() as session:
        before = session.get(HelpRequest, request_id).preferred_windows  # type: ignore[union-attr]
        with unit_of_work(session):
            answer_time_proposal(
                session, AnswerTimeProposal(proposal.id, False, "resident:+84987660002"), utcnow()
            )
    _plan(runtime)
    [refused] = _proposals(runtime, request_id)
    assert refused.status == "refused"
    with runtime.sessions() as session:
        request = session.get(HelpRequest, request_id)
        assert request is not None and request.preferred_windows == before
        assert request.status == "open"
        assert session.scalars(select(Assignment)).all() == []


def test_a_wish_beyond_the_horizon_is_planned_when_it_comes_within_reach(
    runtime: Runtime,
) -> None:
    in_five_days = to_local(utcnow()).date() + timedelta(days=5)
    window = TimeWindow(local_to_utc(in_five_days, time(8)), local_to_utc(in_five_days, time(11)))
    with runtime.sessions() as session:
        with unit_of_work(session):
            submit(
                session,
                SubmitRequest(phone="+84987660009", kind="vneid", commune_code=COMMUNE,
                              hamlet_code="AG-UMT-01", preferred_windows=(window,)),
                utcnow(),
            )  # fmt: skip
    _plan(runtime)
    with runtime.sessions() as session:
        assert session.scalars(select(Assignment)).all() == []
        assert session.scalars(select(TimeProposal)).all() == []  # not asked: it is not due yet
    due = planning.communes_with_wishes_coming_into_reach
    assert due(runtime.sessions, utcnow()) == []
    three_days_on = utcnow() + timedelta(days=3)
    assert due(runtime.sessions, three_days_on) == [COMMUNE]
    planning.plan_commune(
        runtime.sessions, COMMUNE, offer_timeout_minutes=120, time_limit_s=1, now=three_days_on
    )
    assert due(runtime.sessions, three_days_on) == []
