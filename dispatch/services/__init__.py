"""Services: each takes a Session, a command dataclass and ``now``, and writes the state change,
its outbox events and an audit row inside the caller's unit of work (``unit_of_work``, opened
and committed by the entry point; services never commit). On an error the service's own writes
are undone (a savepoint) and a domain error raised: ``NotFound``, ``Conflict`` (stale
``expected_version``), ``InvalidCommand``, ``IllegalTransition``.

Resident side (requests.py): ``submit`` (dedupe: same phone + kind open within 24 h returns
the existing request with ``created=False``), ``cancel``, ``reschedule``.
Offer life (offers.py): ``offer``, ``accept``, ``decline``, ``expire``, ``expire_due``,
``due_offer_ids``, ``start``, ``complete``.
Coordinator (overrides.py): ``reassign`` (locked), ``set_lock``, ``unassign``.
Planner write-back (planning_writeback.py): ``diff_plan``, ``apply_plan_changes``.
Resident's answer to the nearest time offered (proposals.py): ``answer_time_proposal``.
Services called in one ``unit_of_work`` block land in its single commit; one called with no
unit of work open raises ``NoUnitOfWork``.
"""

from dispatch.services.errors import (
    Conflict,
    DomainError,
    Duplicate,
    IllegalTransition,
    InvalidCommand,
    NotFound,
)
from dispatch.services.offer_steps import OfferAssignment
from dispatch.services.offers import (
    AcceptOffer,
    CompleteVisit,
    DeclineOffer,
    ExpireOffer,
    StartVisit,
    accept,
    complete,
    decline,
    due_offer_ids,
    expire,
    expire_due,
    offer,
    start,
)
from dispatch.services.overrides import (
    ReassignRequest,
    SetLock,
    UnassignRequest,
    reassign,
    set_lock,
    unassign,
)
from dispatch.services.planning_writeback import (
    ApplyPlan,
    MoveOffer,
    NewOffer,
    PlanApplied,
    PlanChange,
    PlannedVisit,
    WithdrawOffer,
    apply_plan_changes,
    diff_plan,
    is_fixed,
    live_assignments,
)
from dispatch.services.proposals import AnswerTimeProposal, answer_time_proposal
from dispatch.services.requests import (
    CancelRequest,
    RescheduleRequest,
    SubmitRequest,
    SubmitResult,
    cancel,
    reschedule,
    submit,
)
from dispatch.services.unit_of_work import (
    NoUnitOfWork,
    atomic,
    in_unit_of_work,
    unit_of_work,
    unit_of_work_from,
)
from dispatch.services.windows import TimeWindow, fits_windows, request_windows

__all__ = [
    "AcceptOffer",
    "AnswerTimeProposal",
    "ApplyPlan",
    "CancelRequest",
    "CompleteVisit",
    "Conflict",
    "DeclineOffer",
    "DomainError",
    "Duplicate",
    "ExpireOffer",
    "IllegalTransition",
    "InvalidCommand",
    "MoveOffer",
    "NewOffer",
    "NotFound",
    "OfferAssignment",
    "PlanApplied",
    "PlanChange",
    "PlannedVisit",
    "ReassignRequest",
    "RescheduleRequest",
    "SetLock",
    "StartVisit",
    "SubmitRequest",
    "SubmitResult",
    "TimeWindow",
    "UnassignRequest",
    "WithdrawOffer",
    "accept",
    "answer_time_proposal",
    "apply_plan_changes",
    "cancel",
    "complete",
    "decline",
    "diff_plan",
    "due_offer_ids",
    "expire",
    "expire_due",
    "fits_windows",
    "is_fixed",
    "live_assignments",
    "offer",
    "reassign",
    "request_windows",
    "reschedule",
    "set_lock",
    "start",
    "submit",
    "unassign",
    "unit_of_work",
    "unit_of_work_from",
    "NoUnitOfWork",
    "atomic",
    "in_unit_of_work",
]
