"""Campaign pages over HTTP: open and start a campaign, walk lists on the volunteer's page,
an outcome in two taps, coverage and its CSV/XLSX report agreeing with the database; another
commune's coordinator gets 404, forms need their CSRF token."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from dispatch.campaign_planning import plan_campaign_day
from dispatch.clock import LOCAL_TZ, utcnow
from dispatch.models import (
    Campaign,
    CampaignStatus,
    CampaignVisit,
    DoorOutcome,
    DoorStatus,
    Event,
    Message,
)
from tests.fixtures.web import WebWorld, login_coordinator
from tests.integration.campaigns.test_household_import import GOOD
from tests.integration.web.helpers import token


def _import(client: FlaskClient) -> None:
    more = "".join(
        f"H1{n:02d},UMT,UMT-0{1 + n % 2},Tổ {n},Hộ {n},,9.6{n % 10},105.11,,,Hộ {n} 1970\n"
        for n in range(10)
    )
    form = {"csrf_token": token(client, "/c/households/import"), "apply": "1",
            "file": (io.BytesIO((GOOD + more).encode()), "h.csv")}  # fmt: skip
    assert client.post("/c/households/import", data=form).status_code == 200


def _open_and_start(app: Flask, client: FlaskClient) -> int:
    today = utcnow().astimezone(LOCAL_TZ).date()
    tomorrow = today + timedelta(days=1)
    form = {
        "csrf_token": token(client, "/c/campaigns"),
        "name": "Tháng 12",
        "commune": "UMT",
        "hamlets": ["UMT-01", "UMT-02"],
        "checklist": ["vneid2", "qr_payment"],
        "first_day": tomorrow.isoformat(),
        "last_day": (tomorrow + timedelta(days=2)).isoformat(),
    }
    answer = client.post("/c/campaigns", data=form)
    assert answer.status_code == 302
    campaign_id = int(answer.headers["Location"].rstrip("/").split("/")[-1])
    page = f"/c/campaigns/{campaign_id}"
    started = client.post(
        f"{page}/status", data={"csrf_token": token(client, page), "status": "running"}
    )
    assert started.status_code == 302
    with app.extensions["doorstep.runtime"].sessions() as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None and campaign.status == CampaignStatus.RUNNING
        assert (
            session.scalar(
                select(func.count()).select_from(Event).where(Event.type == "campaign.started")
            )
            == 1
        )
        # The worker's job does this (tested with RQ elsewhere): plan the first day.
        summary = plan_campaign_day(session, campaign_id, tomorrow, utcnow(), time_limit_s=2)
        # H002 speaks Khmer and no volunteer of this commune does: it waits, unplanned.
        assert summary is not None and (summary.planned, summary.unplanned) == (11, 1)
    return campaign_id


def test_campaign_flow_pages_and_report_agree_with_the_database(
    app: Flask, coordinator_client: FlaskClient, volunteer_client: FlaskClient, web_world: WebWorld
) -> None:
    _import(coordinator_client)
    campaign_id = _open_and_start(app, coordinator_client)
    page = coordinator_client.get(f"/c/campaigns/{campaign_id}").get_data(as_text=True)
    assert "Nguyễn Văn An" in page or "Trần Thị Bình" in page
    tomorrow = utcnow().astimezone(LOCAL_TZ).date() + timedelta(days=1)
    path = f"/c/campaigns/{campaign_id}"
    sms = {"csrf_token": token(coordinator_client, path), "day": tomorrow.isoformat()}
    assert coordinator_client.post(f"{path}/sms", data=sms).status_code == 302
    coordinator_client.post(f"{path}/sms", data=sms)  # again: nothing sent twice
    with app.extensions["doorstep.runtime"].sessions() as session:
        walk = session.scalars(select(Message).where(Message.template == "walk_list")).all()
        keys = session.scalars(select(Message).where(Message.template == "walk_list_key")).all()
        assert walk and len(keys) == len({m.peer_phone for m in walk}) <= 2
    with app.extensions["doorstep.runtime"].sessions() as session:
        mine = session.scalars(
            select(CampaignVisit)
            .where(CampaignVisit.volunteer_id == web_world.volunteer_a)
            .order_by(CampaignVisit.route_order)
        ).all()
        day = mine[0].day
        ids = [v.id for v in mine]
    walk = volunteer_client.get(f"/v/walk?day={day.isoformat()}").get_data(as_text=True)
    assert walk.count('class="visit door') == len(ids)
    path = f"/v/walk?day={day.isoformat()}"
    assert (
        volunteer_client.post(
            f"/v/walk/{ids[0]}/outcome",
            data={
                "csrf_token": token(volunteer_client, path),
                "status": "done",
                "items": ["vneid2"],
                "difficulties": ["weak_signal"],
            },
        ).status_code
        == 302
    )
    assert (
        volunteer_client.post(
            f"/v/walk/{ids[1]}/outcome",
            data={"csrf_token": token(volunteer_client, path), "status": "nobody_home"},
        ).status_code
        == 302
    )
    # No CSRF token: refused, nothing saved.
    assert (
        volunteer_client.post(f"/v/walk/{ids[2]}/outcome", data={"status": "done"}).status_code
        == 400
    )
    printed = volunteer_client.get(f"/v/walk/print?day={day.isoformat()}").get_data(as_text=True)
    assert "sheet" in printed
    with app.extensions["doorstep.runtime"].sessions() as session:
        reached = session.scalar(
            select(func.count())
            .select_from(DoorOutcome)
            .where(DoorOutcome.status == DoorStatus.DONE)
        )
        missed = session.scalar(
            select(func.count())
            .select_from(DoorOutcome)
            .where(DoorOutcome.status == DoorStatus.NOBODY_HOME)
        )
        assert (reached, missed) == (1, 1)
    cov = coordinator_client.get(f"/c/coverage?campaign={campaign_id}").get_data(as_text=True)
    assert (
        '<span id="total-households">12</span>' in cov
        and '<strong id="total-reached">1</strong>' in cov
    )
    assert '<span id="total-misses">1</span>' in cov and "<svg" in cov
    report = coordinator_client.get(f"/c/coverage.csv?campaign={campaign_id}").get_data(
        as_text=True
    )
    rows = list(csv.DictReader(io.StringIO(report)))
    hamlets = [r for r in rows if r["hamlet_code"]]
    assert sum(int(r["households"]) for r in hamlets) == 12
    assert (
        sum(int(r["reached"]) for r in hamlets) == 1 and sum(int(r["misses"]) for r in hamlets) == 1
    )
    assert sum(int(r["item_vneid2"]) for r in hamlets) == 1
    assert sum(int(r["difficulty_weak_signal"]) for r in hamlets) == 1
    book = load_workbook(
        io.BytesIO(coordinator_client.get(f"/c/coverage.xlsx?campaign={campaign_id}").data)
    )
    sheet = book.worksheets[0]
    assert sheet.max_row == len(rows) + 1


def test_other_communes_see_nothing(
    app: Flask, coordinator_client: FlaskClient, volunteer_client: FlaskClient, web_world: WebWorld
) -> None:
    _import(coordinator_client)
    campaign_id = _open_and_start(app, coordinator_client)
    other = app.test_client()
    login_coordinator(other, web_world.coordinator_b)
    for path in (f"/c/campaigns/{campaign_id}", f"/c/coverage?campaign={campaign_id}",
                 f"/c/coverage.csv?campaign={campaign_id}", "/c/coverage?commune=UMT"):  # fmt: skip
        assert other.get(path).status_code == 404, path
    answer = other.post(
        f"/c/campaigns/{campaign_id}/status",
        data={"csrf_token": token(other, "/c/campaigns"), "status": "closed"},
    )
    assert answer.status_code == 404
    # A volunteer of another list: 404 on a visit that is not theirs.
    with app.extensions["doorstep.runtime"].sessions() as session:
        theirs = session.scalars(
            select(CampaignVisit).where(CampaignVisit.volunteer_id != web_world.volunteer_a)
        ).first()
    if theirs is not None:
        answer = volunteer_client.post(
            f"/v/walk/{theirs.id}/outcome",
            data={"csrf_token": token(volunteer_client, "/v/walk"), "status": "done"},
        )
        assert answer.status_code == 404
    # Signed out: the login page.
    assert app.test_client().get("/c/coverage").status_code == 302
