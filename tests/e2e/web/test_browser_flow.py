"""Headless Chromium against a real server: the whole day of one request.

A resident submits the form on a phone; the coordinator sees it in the queue and reassigns it;
the volunteer signs in with the SMS code and accepts; the resident's status page shows the time.
Screenshots of every page at phone (360 px) and desktop widths go to ``screenshots/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page
from sqlalchemy import select

from dispatch.models import HelpRequest, Message
from tests.fixtures.web import PASSWORD, WebWorld

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


class Watcher:
    """Collects console errors (a CSP violation shows up there) for a page."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def attach(self, page: Page) -> Page:
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        return page


def _context(browser: Browser, viewport: dict[str, int], watcher: Watcher) -> BrowserContext:
    context = browser.new_context(viewport=viewport, locale="vi-VN")  # type: ignore[arg-type]
    context.on("page", watcher.attach)
    return context


def _shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    if width <= 360:
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{name}: horizontal scrolling at {width}px ({scroll}px wide)"


def _both_widths(page: Page, folder: Path, name: str) -> None:
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        _shot(page, folder, f"{name}-{label}")


def test_resident_coordinator_volunteer_resident(
    app: Flask, web_world: WebWorld, live_url: str, browser: Browser, screenshots: Path
) -> None:
    watcher = Watcher()
    resident = _context(browser, PHONE, watcher).new_page()
    coordinator = _context(browser, DESKTOP, watcher).new_page()
    volunteer = _context(browser, PHONE, watcher).new_page()

    # 1. The resident asks for help on a 360 px phone.
    resident.goto(f"{live_url}/")
    _both_widths(resident, screenshots, "01-home")
    resident.set_viewport_size(PHONE)
    resident.goto(f"{live_url}/request")
    resident.click("button[type=submit]")  # empty: every field says what is wrong
    assert resident.locator(".error-text").count() >= 5
    _shot(resident, screenshots, "02-request-form-errors-phone")
    resident.fill("#name", "Nguyễn Thị Tư")
    resident.fill("#phone", "0912 345 678")
    resident.select_option("#commune", "UMT")
    resident.select_option("#hamlet", "UMT-01")
    resident.locator("label.choice", has_text="VNeID").click()
    resident.locator("label.choice", has_text="Buổi sáng").click()
    resident.fill("#note", "Nhà gần chợ, cổng xanh")
    _both_widths(resident, screenshots, "03-request-form-filled")
    resident.set_viewport_size(PHONE)
    resident.click("button[type=submit]")
    resident.wait_for_url(re.compile(r"/r/"))
    status_url = resident.url
    assert "Đang tìm tình nguyện viên" in resident.content()
    _both_widths(resident, screenshots, "04-status-waiting")
    with app.extensions["doorstep.runtime"].sessions() as session:
        request_row = session.scalar(select(HelpRequest))
        assert request_row is not None
        reference, request_id = request_row.reference, request_row.id

    # 2. The coordinator sees it in the queue and reassigns it to volunteer A.
    coordinator.goto(f"{live_url}/c/login")
    _both_widths(coordinator, screenshots, "05-coordinator-login")
    coordinator.fill("#username", web_world.coordinator_a)
    coordinator.fill("#password", PASSWORD)
    coordinator.click("button[type=submit]")
    coordinator.wait_for_url(f"{live_url}/c/")
    assert reference in coordinator.content()
    _both_widths(coordinator, screenshots, "06-queue")
    coordinator.click(f"text={reference}")
    coordinator.wait_for_url(f"{live_url}/c/requests/{request_id}")
    row = coordinator.locator(f"tr[data-volunteer='{web_world.volunteer_a}']")
    row.locator("input[name=reason]").fill("Gần nhà, biết dùng VNeID")
    row.locator("button[type=submit]").click()
    coordinator.wait_for_url(f"{live_url}/c/requests/{request_id}")
    assert "Đã giao lại" in coordinator.content()
    _both_widths(coordinator, screenshots, "07-request-page")
    for path, name in [
        ("/c/board", "08-board"),
        ("/c/escalations", "09-escalations"),
        ("/c/dashboard", "10-dashboard"),
        ("/c/volunteers", "11-volunteers"),
        ("/c/volunteers/import", "12-import"),
        ("/c/hamlets", "13-hamlets"),
    ]:
        coordinator.goto(f"{live_url}{path}")
        _both_widths(coordinator, screenshots, name)

    # 3. The volunteer signs in with the code sent by SMS and accepts.
    volunteer.goto(f"{live_url}/v/sign-in")
    _shot(volunteer, screenshots, "14-volunteer-sign-in-phone")
    volunteer.fill("#phone", "0912 000 001")
    volunteer.click("button[type=submit]")
    volunteer.wait_for_url(f"{live_url}/v/code")
    with app.extensions["doorstep.runtime"].sessions() as session:
        sms = session.scalars(select(Message).where(Message.template == "sign_in_code")).first()
        assert sms is not None
        code = re.findall(r"\b\d{6}\b", sms.body)[0]
    volunteer.fill("#code", code)
    volunteer.click("button[type=submit]")
    volunteer.wait_for_url(f"{live_url}/v/")
    assert "+84912345678" not in volunteer.content()  # not before accepting
    _both_widths(volunteer, screenshots, "15-my-visits-offered")
    volunteer.set_viewport_size(PHONE)
    volunteer.locator("form[action$='/accept'] button").click()
    volunteer.wait_for_url(f"{live_url}/v/")
    assert "+84912345678" in volunteer.content()
    _both_widths(volunteer, screenshots, "16-my-visits-accepted")
    volunteer.goto(f"{live_url}/v/availability")
    _both_widths(volunteer, screenshots, "17-availability")

    # 4. The resident's status page shows the time, the first name and the visit code.
    resident.set_viewport_size(PHONE)
    resident.goto(status_url)
    text = resident.inner_text("main")
    assert "Đã hẹn lịch thăm" in text and "Giờ hẹn" in text and "An" in text
    assert re.search(r"\d{2}:\d{2} ", text)
    _both_widths(resident, screenshots, "18-status-scheduled")

    # English switch works in the browser too.
    resident.click("a[hreflang=en]")
    assert "Visit scheduled" in resident.inner_text("main")
    _shot(resident, screenshots, "19-status-scheduled-english-desktop")

    csp_errors = [e for e in watcher.errors if "Content Security Policy" in e]
    assert csp_errors == []
