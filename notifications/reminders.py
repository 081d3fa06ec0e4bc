"""Visit reminders: the evening before and an hour before, as scheduled RQ jobs.

A reminder job carries the visit time it was made for and re-checks the assignment when it
runs: still accepted, still at that time. A visit moved since then has newer reminder jobs
(scheduled by the reschedule handler) and the old ones do nothing; a cancelled one gets none.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from dispatch.clock import LOCAL_TZ, utcnow
from dispatch.models import Assignment
from dispatch.queues import safe_id_part
from dispatch.runtime import Runtime, current
from dispatch.services.unit_of_work import unit_of_work_from
from dispatch.states import AssignmentStatus
from notifications.outbound import enqueue_delivery, queue_sms
from notifications.recipients import given_name, to_resident

REMINDER_JOB = "notifications.reminders.send_reminder"
EVENING_AT = time(19, 0)  # local, the day before the visit
HOUR_BEFORE = timedelta(hours=1)


def reminder_times(start_at: datetime) -> dict[str, datetime]:
    """When each reminder is due, in UTC."""
    local_day = start_at.astimezone(LOCAL_TZ).date()
    evening = datetime.combine(local_day - timedelta(days=1), EVENING_AT, tzinfo=LOCAL_TZ)
    return {"evening": evening.astimezone(start_at.tzinfo), "hour": start_at - HOUR_BEFORE}


def reminder_job_id(assignment_id: int, kind: str, start_at: datetime) -> str:
    return safe_id_part(f"remind-{assignment_id}-{kind}-{int(start_at.timestamp())}")


def schedule_reminders(runtime: Runtime, assignment_id: int, start_at: datetime) -> list[str]:
    """Schedule the reminders still ahead; returns the kinds scheduled."""
    now = utcnow()
    scheduled = []
    for kind, due in reminder_times(start_at).items():
        if due <= now:
            continue  # accepted late: the confirmation itself is fresh enough
        runtime.queues.messages.enqueue_at(
            due,
            REMINDER_JOB,
            assignment_id,
            kind,
            start_at.isoformat(),
            job_id=reminder_job_id(assignment_id, kind, start_at),
            result_ttl=86400,
            failure_ttl=7 * 86400,
        )
        scheduled.append(kind)
    return scheduled


def send_reminder(assignment_id: int, kind: str, start_iso: str) -> str:
    """RQ job: queue the reminder if the visit is still on, at the time it was made for."""
    runtime = current()
    start_at = datetime.fromisoformat(start_iso)
    with unit_of_work_from(runtime.sessions) as session:
        assignment = session.get(Assignment, assignment_id)
        if assignment is None or assignment.status is not AssignmentStatus.ACCEPTED:
            return "visit-off"
        if assignment.start_at != start_at:
            return "moved"
        request = assignment.request
        template = "reminder_evening" if kind == "evening" else "reminder_hour"
        out = to_resident(
            request,
            template,
            f"reminder:{kind}:{assignment_id}:{int(start_at.timestamp())}",
            when=start_at,
            time=start_at,
            volunteer=given_name(assignment.volunteer.name),
            kind=request.kind,
            code=assignment.visit_code,
            _assignment_id=assignment.id,
        )
        message = queue_sms(session, runtime.settings, out)
    enqueue_delivery(runtime.queues, [message])
    return "queued"
