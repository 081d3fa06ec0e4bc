"""Walk lists by SMS (each part <= 2 segments, in route order) and door reports by SMS reply
("3 X, 4 V, 5 H 16h", with or without diacritics) through the real two-step inbound path."""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlalchemy import select

from dispatch.clock import LOCAL_TZ, utcnow
from dispatch.models import CampaignStatus, CampaignVisit, DoorOutcome, DoorStatus, Volunteer
from dispatch.runtime import Runtime
from dispatch.services import campaigns
from dispatch.services.unit_of_work import unit_of_work
from notifications.channels import InMemoryChannel
from notifications.inbound import InboundSms, receive
from notifications.segments import count_segments
from tests.fixtures.redis import RunJobs
from tests.integration.campaigns.conftest import COMMUNE, HAMLETS

_sid = itertools.count(1)


def _start_today_and_tomorrow(runtime: Runtime) -> int:
    today = utcnow().astimezone(LOCAL_TZ).date()
    tomorrow = today + timedelta(days=1)
    with runtime.sessions() as session:
        with unit_of_work(session):
            campaign = campaigns.open_campaign(
                session,
                campaigns.OpenCampaign(
                    COMMUNE, "Đi hộ", list(HAMLETS), ["vneid2"], tomorrow, tomorrow
                ),
                "test",
                utcnow(),
            )
        # Starting records campaign.started; its handler queues the day's plan job.
        with unit_of_work(session):
            campaigns.set_status(session, campaign, CampaignStatus.RUNNING, "test", utcnow())
        return campaign.id


def _text(runtime: Runtime, phone: str, body: str) -> list[str]:
    sms = InboundSms("twilio", f"SMdoor{next(_sid)}", phone, "+15005550006", body)
    with runtime.sessions() as session:
        return [m.template or "" for m in receive(session, runtime.settings, sms).replies]


def test_walk_list_sms_fit_two_segments_in_route_order(
    runtime: Runtime, run_jobs: RunJobs, channel: InMemoryChannel
) -> None:
    campaign_id = _start_today_and_tomorrow(runtime)
    run_jobs()
    with runtime.sessions() as session:
        visits = session.scalars(
            select(CampaignVisit).where(CampaignVisit.campaign_id == campaign_id)
        ).all()
        volunteer = session.get(Volunteer, visits[0].volunteer_id)
        assert volunteer is not None
        mine = sorted(
            (v for v in visits if v.volunteer_id == volunteer.id), key=lambda v: v.route_order
        )
        heads = [v.household.head_name for v in mine]
        phone = volunteer.phone
    texts = [m.body for m in channel.to(phone)]
    assert texts and texts[0].startswith("Báo kết quả đi hộ")
    walk = [t for t in texts if t.startswith("Đi hộ")]
    assert all(count_segments(t).segments <= 2 for t in walk)
    joined = " ".join(walk)
    positions = [joined.index(f"{n}) ") for n in range(1, len(heads) + 1)]
    assert positions == sorted(positions)
    assert all(head in joined for head in heads)


def test_door_report_by_sms_records_outcomes(runtime: Runtime, run_jobs: RunJobs) -> None:
    campaign_id = _start_today_and_tomorrow(runtime)
    run_jobs()
    with runtime.sessions() as session:
        visits = session.scalars(
            select(CampaignVisit).where(CampaignVisit.campaign_id == campaign_id)
        ).all()
        volunteer_id = max(
            {v.volunteer_id for v in visits}, key=lambda i: sum(v.volunteer_id == i for v in visits)
        )
        volunteer = session.get(Volunteer, volunteer_id)
        assert volunteer is not None
        phone = volunteer.phone
        # The report is about the day of the list: move it to today for this test.
        for visit in visits:
            visit.day = utcnow().astimezone(LOCAL_TZ).date()
        session.commit()
    replies = _text(runtime, phone, "1 X, 2 vắng, 3 hẹn 16h30, 99 x")
    assert replies == ["door_ack", "door_unknown"]
    with runtime.sessions() as session:
        mine = {
            v.route_order: v
            for v in session.scalars(
                select(CampaignVisit).where(CampaignVisit.volunteer_id == volunteer_id)
            )
        }
        assert mine[1].status == DoorStatus.DONE and mine[1].outcome is not None
        assert mine[1].outcome.done_items == ["vneid2"] and mine[1].outcome.recorded_via == "sms"
        assert mine[2].status == DoorStatus.NOBODY_HOME
        assert mine[3].status == DoorStatus.COME_BACK
        back = mine[3].outcome.come_back_at if mine[3].outcome else None
        assert back is not None and back.astimezone(LOCAL_TZ).strftime("%H:%M") == "16:30"
    # The same report again (a provider retry with a new id) corrects, never adds.
    _text(runtime, phone, "1 xong")
    with runtime.sessions() as session:
        count = len(session.scalars(select(DoorOutcome)).all())
    assert count == 3
    # Not a door report: the usual parser answers.
    assert _text(runtime, phone, "xin chào") != ["door_ack"]


def test_either_of_a_pair_reports_by_sms_and_it_counts_once(
    runtime: Runtime, run_jobs: RunJobs, channel: InMemoryChannel
) -> None:
    tomorrow = utcnow().astimezone(LOCAL_TZ).date() + timedelta(days=1)
    with runtime.sessions() as session, unit_of_work(session):
        campaign = campaigns.open_campaign(
            session,
            campaigns.OpenCampaign(
                COMMUNE, "Đi cặp", list(HAMLETS), ["vneid2"], tomorrow, tomorrow, in_pairs=True
            ),  # fmt: skip
            "test",
            utcnow(),
        )
        campaigns.set_status(session, campaign, CampaignStatus.RUNNING, "test", utcnow())
        campaign_id = campaign.id
    run_jobs()
    with runtime.sessions() as session:
        visits = session.scalars(
            select(CampaignVisit).where(CampaignVisit.campaign_id == campaign_id)
        ).all()
        first = next(v for v in visits if v.partner_id is not None and v.route_order == 1)
        holder, partner = first.volunteer.phone, first.partner.phone if first.partner else ""
        for visit in visits:
            visit.day = utcnow().astimezone(LOCAL_TZ).date()
        session.commit()
    for phone in (holder, partner):  # both of the pair got the list by SMS
        assert any(m.body.startswith("Đi hộ") for m in channel.to(phone))
    assert _text(runtime, partner, "1 X") == ["door_ack"]
    assert _text(runtime, holder, "1 xong") == ["door_ack"]
    with runtime.sessions() as session:
        outcomes = session.scalars(select(DoorOutcome)).all()
        assert [(o.visit_id, o.status) for o in outcomes] == [(first.id, DoorStatus.DONE)]
