"""Walking in pairs over HTTP: a campaign opened "in pairs" gives the two volunteers of team A
one list; both see it on their walk page and both get it by SMS; an outcome recorded by either
is the visit's one outcome."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dispatch.campaign_planning import plan_campaign_day
from dispatch.clock import LOCAL_TZ, utcnow
from dispatch.models import Campaign, CampaignVisit, DoorOutcome, DoorStatus, Message
from tests.fixtures.web import WebWorld
from tests.integration.campaigns.test_campaign_pages import _import
from tests.integration.web.helpers import token


def _walk_as(app: Flask, volunteer_id: int) -> FlaskClient:
    from web.volunteer.auth import signed_login_path

    client = app.test_client()
    with app.test_request_context():
        path = signed_login_path(volunteer_id)
    assert client.get(path).status_code == 302
    return client


def _open_in_pairs(app: Flask, client: FlaskClient) -> int:
    tomorrow = utcnow().astimezone(LOCAL_TZ).date() + timedelta(days=1)
    form = {
        "csrf_token": token(client, "/c/campaigns"),
        "name": "Đi cặp",
        "commune": "UMT",
        "hamlets": ["UMT-01", "UMT-02"],
        "checklist": ["vneid2"],
        "first_day": tomorrow.isoformat(),
        "last_day": tomorrow.isoformat(),
        "in_pairs": "1",
    }
    answer = client.post("/c/campaigns", data=form)
    assert answer.status_code == 302
    campaign_id = int(answer.headers["Location"].rstrip("/").split("/")[-1])
    page = f"/c/campaigns/{campaign_id}"
    client.post(f"{page}/status", data={"csrf_token": token(client, page), "status": "running"})
    with app.extensions["doorstep.runtime"].sessions() as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None and campaign.in_pairs
        summary = plan_campaign_day(session, campaign_id, tomorrow, utcnow(), time_limit_s=2)
        assert summary is not None and summary.planned > 0
    return campaign_id


def test_a_pair_walks_one_list_both_see_it_and_one_outcome_counts(
    app: Flask, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    _import(coordinator_client)
    campaign_id = _open_in_pairs(app, coordinator_client)
    with app.extensions["doorstep.runtime"].sessions() as session:
        visits = session.scalars(
            select(CampaignVisit)
            .where(CampaignVisit.campaign_id == campaign_id)
            .order_by(CampaignVisit.route_order)
        ).all()
        team_a = {web_world.volunteer_a, web_world.volunteer_a2}
        # Team A's two volunteers (the commune's only team) share every door of its list.
        paired = [v for v in visits if v.partner_id is not None]
        assert paired and all({v.volunteer_id, v.partner_id} == team_a for v in paired)
        assert not any(v.volunteer_id in team_a and v.partner_id is None for v in visits)
        day, ids = paired[0].day, [v.id for v in paired]
    pages = {}
    for person, other in (
        (web_world.volunteer_a, "Trần Thị Bình"),
        (web_world.volunteer_a2, "Nguyễn Văn An"),
    ):
        client = _walk_as(app, person)
        page = client.get(f"/v/walk?day={day.isoformat()}").get_data(as_text=True)
        assert page.count('class="visit door') == len(ids)
        assert other in page  # the page names the partner
        pages[person] = client
    path = f"/v/walk?day={day.isoformat()}"
    for person, status in (
        (web_world.volunteer_a2, "nobody_home"),
        (web_world.volunteer_a, "done"),
    ):
        client = pages[person]
        answer = client.post(
            f"/v/walk/{ids[0]}/outcome",
            data={"csrf_token": token(client, path), "status": status},
        )
        assert answer.status_code == 302
    with app.extensions["doorstep.runtime"].sessions() as session:
        outcomes = session.scalars(select(DoorOutcome).where(DoorOutcome.visit_id == ids[0])).all()
        # One visit, one outcome: the second report corrects the first, never adds a visit.
        assert [o.status for o in outcomes] == [DoorStatus.DONE]
        assert session.scalar(select(func.count()).select_from(DoorOutcome)) == 1
    page = f"/c/campaigns/{campaign_id}"
    assert "Nguyễn Văn An + Trần Thị Bình" in coordinator_client.get(page).get_data(as_text=True)
    sms = {"csrf_token": token(coordinator_client, page), "day": day.isoformat()}
    assert coordinator_client.post(f"{page}/sms", data=sms).status_code == 302
    with app.extensions["doorstep.runtime"].sessions() as session:
        phones = set(
            session.scalars(select(Message.peer_phone).where(Message.template == "walk_list"))
        )
    assert {web_world.volunteer_a_phone, web_world.volunteer_a2_phone} <= phones
