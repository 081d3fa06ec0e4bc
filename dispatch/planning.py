"""The planning adapter: plan one commune and write back only what changed.

1. Record a PlanRun (so a crash leaves a trace), build the problem (``planning_scenario``) in a
   short read-only session, then solve with no transaction open (a long solve must not hold
   a SQLite snapshot or PostgreSQL locks).
2. Hand the plan's visits to the write-back service (``services.planning_writeback``): new
   visits become offers (AssignmentOffered), the same volunteer at another time a move
   (AssignmentChanged), another volunteer or no visit a withdrawal (AssignmentWithdrawn).
   Locked, accepted and in-progress visits are never touched. Moves smaller than
   ``MOVE_TOLERANCE`` are dropped here: not worth an SMS.
3. The differences, the PlanRun result, a PlanCompleted event and the nearest times offered to
   residents nobody can visit when they asked (``planning_proposals``) land in ONE unit of
   work opened here (``plan_commune`` is the plan job's body). Changes the world overtook
   while solving are skipped by the service; the caller then plans once more.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from dispatch import outbox
from dispatch.clock import utcnow
from dispatch.events import PlanCompleted
from dispatch.models import Assignment, HelpRequest, PlanRun, PlanRunStatus
from dispatch.planning_ids import request_id_of, volunteer_id_of
from dispatch.planning_proposals import propose_times
from dispatch.planning_refusals import coordinator_reason
from dispatch.planning_scenario import Problem, build_problem, horizon_end
from dispatch.replan import time_limit_for_size
from dispatch.services import offers
from dispatch.services.errors import Conflict
from dispatch.services.planning_writeback import (
    ApplyPlan,
    MoveOffer,
    PlanApplied,
    PlanChange,
    PlannedVisit,
    apply_plan_changes,
    diff_plan,
)
from dispatch.services.unit_of_work import unit_of_work_from
from dispatch.states import AssignmentStatus, IllegalTransition, RequestStatus
from scheduler.types import Objective, Plan

log = logging.getLogger(__name__)

PLAN_TIME_LIMIT_S = 2.0
MOVE_TOLERANCE = timedelta(minutes=1)


@dataclass
class PlanOutcome:
    plan_run_id: int
    applied: PlanApplied = field(default_factory=PlanApplied)

    @property
    def needs_rerun(self) -> bool:
        """Some change was overtaken by the world while solving: plan once more."""
        return bool(self.applied.skipped)


def solve(problem: Problem, time_limit_s: float) -> Plan:
    from scheduler import solve as solve_scenario

    if not problem.scenario.requests:
        return Plan(problem.scenario.name, (), (), Objective(0, 0, 0.0), {"status": "empty"})
    return solve_scenario(problem.scenario, time_limit_s=time_limit_s, previous=problem.previous)


def planned_visits(plan: Plan) -> list[PlannedVisit]:
    return [
        PlannedVisit(
            request_id_of(visit.request),
            volunteer_id_of(route.volunteer),
            visit.start,
            visit.end,
        )
        for route in plan.routes
        for visit in route.visits
    ]


def _worth_it(change: PlanChange, live: dict[int, Assignment]) -> bool:
    if not isinstance(change, MoveOffer):
        return True
    current = next((a for a in live.values() if a.id == change.assignment_id), None)
    return current is None or abs(change.start_at - current.start_at) >= MOVE_TOLERANCE


def _record_result(
    session: Session,
    run_id: int,
    problem: Problem,
    plan: Plan,
    applied: PlanApplied,
    wall: float,
    now: datetime,
) -> None:
    _take_write_lock(session, run_id)
    run = session.get(PlanRun, run_id)
    assert run is not None
    run.finished_at = utcnow()
    run.wall_s = round(wall, 3)
    run.solver = str(plan.solver.get("name", plan.solver.get("status", "ortools")))[:32]
    run.n_requests = len(problem.scenario.requests)
    run.n_volunteers = len(problem.scenario.volunteers)
    run.n_assigned = plan.objective.assigned
    run.n_changes = applied.count
    run.objective = {
        "assigned": plan.objective.assigned,
        "assigned_priority": plan.objective.assigned_priority,
        "travel_seconds": plan.objective.travel_seconds,
    }
    run.unassigned = [
        {"request_id": request_id_of(u.request), "reason": coordinator_reason(u.reason)}
        for u in plan.unassigned
    ]
    run.status = PlanRunStatus.DONE
    outbox.record(
        session,
        PlanCompleted(
            commune_code=run.commune_code,
            plan_run_id=run.id,
            assigned=plan.objective.assigned,
            unassigned=len(plan.unassigned),
            changes=applied.count,
        ),
    )
    propose_times(session, problem, plan, run_id, now)


def _take_write_lock(session: Session, run_id: int) -> None:
    """Write first, then read: on SQLite a transaction that reads and later writes fails at
    once ("database is locked") when another connection wrote in between; taking the write
    lock up front makes it wait its turn (busy timeout) instead. On PostgreSQL this only
    locks our own PlanRun row."""
    session.execute(
        update(PlanRun).where(PlanRun.id == run_id).values(status=PlanRunStatus.RUNNING)
    )


def plan_commune(
    sessions: sessionmaker[Session],
    commune_code: str,
    *,
    offer_timeout_minutes: int,
    time_limit_s: float = PLAN_TIME_LIMIT_S,
    now: datetime | None = None,
) -> PlanOutcome:
    """Plan one commune now; raises on a solver failure (the job is retried)."""
    now = now or utcnow()
    with unit_of_work_from(sessions) as session:
        run = PlanRun(commune_code=commune_code, started_at=now, status=PlanRunStatus.RUNNING)
        session.add(run)
        session.flush()
        run_id = run.id
    with sessions() as session:  # closed before the long solve: no snapshot held meanwhile
        problem = build_problem(session, commune_code, now)
    started = time.monotonic()
    limit = time_limit_for_size(time_limit_s, len(problem.scenario.requests))
    try:
        plan = solve(problem, limit)
    except Exception as error:
        _fail(sessions, run_id, f"{type(error).__name__}: {error}")
        raise
    wall = time.monotonic() - started
    try:
        with unit_of_work_from(sessions) as session:  # the write-back and the run's result
            _take_write_lock(session, run_id)
            changes = [
                c
                for c in diff_plan(session, commune_code, planned_visits(plan))
                if _worth_it(c, problem.live)
            ]
            command = ApplyPlan(
                commune_code=commune_code,
                changes=changes,
                offer_ttl=timedelta(minutes=offer_timeout_minutes),
                plan_run_id=run_id,
            )
            applied = apply_plan_changes(session, command, utcnow())
            _record_result(session, run_id, problem, plan, applied, wall, now)
    except Exception as error:
        _fail(sessions, run_id, f"{type(error).__name__}: {error}")
        raise
    for change, reason in applied.skipped:
        log.info("plan of %s: skipped %s (%s)", commune_code, change, reason)
    return PlanOutcome(run_id, applied)


def _fail(sessions: sessionmaker[Session], run_id: int, error: str) -> None:
    with unit_of_work_from(sessions) as session:
        run = session.get(PlanRun, run_id)
        if run is not None:
            run.status = PlanRunStatus.FAILED
            run.finished_at = utcnow()
            run.error = error[:2000]


def communes_with_wishes_coming_into_reach(
    sessions: sessionmaker[Session], now: datetime
) -> list[str]:
    """Communes with an open request whose wished time was beyond the horizon of the commune's
    last plan and is within reach now: they need a plan, or a request for next Saturday would
    wait for some unrelated event in a quiet commune."""
    reach = horizon_end(now)
    with sessions() as session:
        rows = session.execute(
            select(PlanRun.commune_code, func.max(PlanRun.started_at)).group_by(
                PlanRun.commune_code
            )
        )
        last_plan: dict[str, datetime] = {code: started for code, started in rows}
        due: set[str] = set()
        for request in session.scalars(
            select(HelpRequest).where(HelpRequest.status == RequestStatus.OPEN)
        ):
            starts = [
                datetime.fromisoformat(w["start"])
                for w in request.preferred_windows
                if datetime.fromisoformat(w["end"]) > now
            ]
            if not starts or min(starts) >= reach:
                continue
            planned = last_plan.get(request.commune_code)
            if planned is None or min(starts) >= horizon_end(planned):
                due.add(request.commune_code)
    return sorted(due)


def expire_offer(sessions: sessionmaker[Session], assignment_id: int, now: datetime) -> bool:
    """Expire one offer if it is still unanswered and due; True when it expired."""
    with unit_of_work_from(sessions) as session:
        live = session.get(Assignment, assignment_id)
        if live is None or live.status != AssignmentStatus.OFFERED or live.expires_at is None:
            return False  # answered, withdrawn or never timed
        if live.expires_at > now:
            return False
        try:
            offers.expire(session, offers.ExpireOffer(assignment_id), now)
        except (Conflict, IllegalTransition):
            return False  # answered in the meantime
        return True


def expire_due_offers(sessions: sessionmaker[Session], now: datetime | None = None) -> int:
    """The sweep's safety net for expiry jobs that never ran."""
    with unit_of_work_from(sessions) as session:  # a savepoint per offer (``expire_due``)
        return len(offers.expire_due(session, now or utcnow()))
