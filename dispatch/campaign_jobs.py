"""RQ jobs of campaigns: one plan job per campaign day (fixed job id, so asking twice while
one waits is one plan). Starting a campaign queues every day in order, each waiting for the one
before (a household on day 1's list must not be planned again on day 2); a "nobody home" or
"come back" queues the next day again, so the household goes back into tomorrow's lists."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from rq.exceptions import DuplicateJobError

from dispatch.campaign_planning import plan_campaign_day
from dispatch.clock import LOCAL_TZ, utcnow
from dispatch.models import Campaign, CampaignStatus, Event
from dispatch.queues import FAILURE_TTL_S, PLAN_RETRY, PLAN_TIMEOUT_S, Queues
from dispatch.runtime import current

log = logging.getLogger(__name__)

PLAN_DAY = "dispatch.campaign_jobs.plan_day_job"
DAY_TIME_LIMIT_S = 20.0


def day_job_id(campaign_id: int, day: date) -> str:
    return f"campaign-{campaign_id}-{day.isoformat()}"


def plan_day_job(campaign_id: int, day: str, until: str | None = None) -> None:
    """Plan one campaign day; with ``until``, then queue the next day (up to that one)."""
    runtime = current()
    the_day = date.fromisoformat(day)
    with runtime.sessions() as session:
        summary = plan_campaign_day(session, campaign_id, the_day, utcnow(), DAY_TIME_LIMIT_S)
    if summary is not None:
        log.info("campaign %s day %s: %s doors planned, %s left, %.1fs", campaign_id, day,
                 summary.planned, summary.unplanned, summary.wall_s)  # fmt: skip
    if until is not None and the_day < date.fromisoformat(until):
        enqueue_day(runtime.queues, campaign_id, the_day + timedelta(days=1), until)


def plan_started_campaign(event_id: int) -> None:
    """Handler of ``campaign.started``: queue the first remaining day (each queues the next)."""
    runtime = current()
    with runtime.sessions() as session:
        row = session.get(Event, event_id)
        campaign = session.get(Campaign, int(row.payload["campaign_id"])) if row else None
        if campaign is None or campaign.status != CampaignStatus.RUNNING:
            return
        first, last, campaign_id = campaign.first_day, campaign.last_day, campaign.id
    enqueue_remaining_days(runtime.queues, campaign_id, first, last)


def replan_after_miss(event_id: int) -> None:
    """Handler of ``door.missed``: plan the next campaign day again (coalesced per day)."""
    runtime = current()
    with runtime.sessions() as session:
        row = session.get(Event, event_id)
        if row is None:
            log.warning("event %s not found (rolled back?)", event_id)
            return
        campaign = session.get(Campaign, int(row.payload["campaign_id"]))
        if campaign is None or campaign.status != CampaignStatus.RUNNING:
            return
        last = campaign.last_day
    enqueue_next_day(runtime.queues, campaign.id, date.fromisoformat(row.payload["day"]), last)


def enqueue_day(queues: Queues, campaign_id: int, day: date, until: str | None = None) -> bool:
    """Queue the plan job of one day (False: that day's job waits already and covers it).

    Days run one after another, each queueing the next, never side by side: a household put
    on day 1's list must be seen there when day 2 is planned."""
    try:
        queues.planning.enqueue(
            PLAN_DAY,
            args=(campaign_id, day.isoformat(), until),
            job_id=day_job_id(campaign_id, day),
            unique=True,
            retry=PLAN_RETRY,
            result_ttl=0,
            failure_ttl=FAILURE_TTL_S,
            job_timeout=PLAN_TIMEOUT_S,
            description=f"plan campaign {campaign_id} day {day}",
        )
        return True
    except DuplicateJobError:
        return False


def enqueue_remaining_days(queues: Queues, campaign_id: int, first: date, last: date) -> bool:
    """Plan every day from today (or the first day) to the last, in order."""
    start = max(first, utcnow().astimezone(LOCAL_TZ).date())
    return start <= last and enqueue_day(queues, campaign_id, start, last.isoformat())


def enqueue_next_day(queues: Queues, campaign_id: int, after: date, last: date) -> bool:
    """Re-plan the day after ``after`` (a "nobody home" goes back into its lists)."""
    nxt = after + timedelta(days=1)
    return nxt <= last and enqueue_day(queues, campaign_id, nxt)
