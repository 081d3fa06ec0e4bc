"""Headless Chromium: households imported -> campaign opened and started -> the volunteer
records outcomes on a 360 px phone (two taps a door) -> the coverage page and its CSV report
show the same counts as the database. Screenshots go to ``screenshots/``."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser
from sqlalchemy import func, select

from dispatch.campaign_planning import plan_campaign_day
from dispatch.clock import LOCAL_TZ, utcnow
from dispatch.models import Campaign, CampaignVisit, DoorOutcome, DoorStatus, Household
from tests.e2e.web.test_browser_flow import DESKTOP, PHONE, Watcher, _context, _shot
from tests.fixtures.web import PASSWORD, WebWorld

pytestmark = pytest.mark.browser

HEADER = "code,commune,hamlet,address,head,phone,lat,lon,at_home,needs,members\n"


def _register(path: Path) -> Path:
    rows = [HEADER] + [
        f"E{n:03d},UMT,UMT-0{1 + n % 2},Tổ {n % 4},Chủ hộ Số {n},,{9.605 + n * 0.0004:.5f},"
        f"105.112,any,{'elderly' if n % 3 == 0 else ''},Chủ hộ Số {n} 1960; Con {n} 1995\n"
        for n in range(16)
    ]
    path.write_text("".join(rows), encoding="utf-8")
    return path


def test_import_campaign_outcomes_coverage(
    app: Flask, web_world: WebWorld, live_url: str, browser: Browser, screenshots: Path,
    tmp_path: Path,
) -> None:  # fmt: skip
    watcher = Watcher()
    coordinator = _context(browser, DESKTOP, watcher).new_page()
    coordinator.goto(f"{live_url}/c/login")
    coordinator.fill("#username", web_world.coordinator_a)
    coordinator.fill("#password", PASSWORD)
    coordinator.click("button[type=submit]")
    coordinator.wait_for_url(f"{live_url}/c/")

    # 1. The household register, checked then imported.
    coordinator.goto(f"{live_url}/c/households/import")
    coordinator.set_input_files("#file", str(_register(tmp_path / "ho.csv")))
    coordinator.click("button[value='1']")
    assert "16" in coordinator.inner_text("main")
    _shot(coordinator, screenshots, "30-households-import-desktop")
    coordinator.goto(f"{live_url}/c/households?hamlet=UMT-01")
    _shot(coordinator, screenshots, "31-households-desktop")

    # 2. A campaign for both hamlets from tomorrow, started.
    tomorrow = utcnow().astimezone(LOCAL_TZ).date() + timedelta(days=1)
    coordinator.goto(f"{live_url}/c/campaigns")
    coordinator.fill("#name", "Đi từng ngõ tháng 12")
    coordinator.check("input[name=hamlets][value='UMT-01']")
    coordinator.check("input[name=hamlets][value='UMT-02']")
    coordinator.fill("#first_day", tomorrow.isoformat())
    coordinator.fill("#last_day", (tomorrow + timedelta(days=2)).isoformat())
    coordinator.click("form[action$='/c/campaigns'] button[type=submit]")
    coordinator.click("#start-campaign")
    with app.extensions["doorstep.runtime"].sessions() as session:
        campaign = session.scalars(select(Campaign)).one()
        # What the worker's day job does on campaign.started (RQ itself: integration tests).
        assert plan_campaign_day(session, campaign.id, tomorrow, utcnow(), time_limit_s=2)
        campaign_id = campaign.id
    coordinator.goto(f"{live_url}/c/campaigns/{campaign_id}")
    _shot(coordinator, screenshots, "32-campaign-desktop")

    # 3. The volunteer's walk list on a 360 px phone: two taps a door.
    volunteer = _context(browser, PHONE, watcher).new_page()
    from web.volunteer.auth import signed_login_path

    with app.test_request_context():
        volunteer.goto(f"{live_url}{signed_login_path(web_world.volunteer_a)}")
    volunteer.goto(f"{live_url}/v/walk?day={tomorrow.isoformat()}")
    doors = volunteer.locator("article.door")
    assert doors.count() >= 3
    _shot(volunteer, screenshots, "33-walk-list-phone")
    for index, button in enumerate(["outcome-done", "outcome-nobody_home", "outcome-done"]):
        door = volunteer.locator("article.door").nth(index)
        door.locator("summary").click()  # tap 1
        if index == 0:
            _shot(volunteer, screenshots, "34-walk-door-open-phone")
        door.locator(f"button[name={button}]").click()  # tap 2
        volunteer.wait_for_load_state()
    volunteer.goto(f"{live_url}/v/walk/print?day={tomorrow.isoformat()}")
    _shot(volunteer, screenshots, "35-walk-print-phone")

    # 4. Coverage and its report agree with the database.
    with app.extensions["doorstep.runtime"].sessions() as session:
        households = session.scalar(select(func.count()).select_from(Household))
        reached = session.scalar(
            select(func.count())
            .select_from(DoorOutcome)
            .where(DoorOutcome.status == DoorStatus.DONE)
        )
        misses = session.scalar(
            select(func.count())
            .select_from(DoorOutcome)
            .where(DoorOutcome.status == DoorStatus.NOBODY_HOME)
        )
        planned = session.scalar(select(func.count()).select_from(CampaignVisit))
    assert (households, reached, misses) == (16, 2, 1) and planned
    coordinator.goto(f"{live_url}/c/coverage?campaign={campaign_id}")
    assert coordinator.inner_text("#total-households") == "16"
    assert coordinator.inner_text("#total-reached") == "2"
    assert coordinator.inner_text("#total-misses") == "1"
    _shot(coordinator, screenshots, "36-coverage-desktop")
    coordinator.set_viewport_size(PHONE)
    _shot(coordinator, screenshots, "37-coverage-phone")
    with coordinator.expect_download() as download:
        coordinator.click("#export-csv")
    rows = list(
        csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8")))
    )
    hamlets = [r for r in rows if r["hamlet_code"]]
    assert sum(int(r["households"]) for r in hamlets) == households
    assert sum(int(r["reached"]) for r in hamlets) == reached
    assert sum(int(r["misses"]) for r in hamlets) == misses
    assert [e for e in watcher.errors if "Content Security Policy" in e] == []
