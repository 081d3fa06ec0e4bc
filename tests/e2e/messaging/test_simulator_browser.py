"""The phone simulator in headless Chromium: type as a resident, read the system's answer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.e2e.messaging.conftest import LiveSystem
from tests.e2e.web.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser


@pytest.fixture
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_resident_conversation_in_the_simulator(live: LiveSystem, chromium: Browser) -> None:
    page = chromium.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live.url + "/sandbox/phones/")
    page.fill("#phone", "0987 000 321")
    page.click("form[action$='/open'] button[type=submit]")
    page.wait_for_url("**/sandbox/phones/+84987000321")
    page.fill("#body", "Giúp bà cài VNeID, ấp Công Sự")
    page.click("form textarea#body >> xpath=ancestor::form//button[@type='submit']")
    page.wait_for_url("**/sandbox/phones/+84987000321")
    live.pump()
    page.reload()
    conversation = page.inner_text("ol.timeline")
    assert "Giúp bà cài VNeID, ấp Công Sự" in conversation
    assert "Đã nhận yêu cầu VNeID" in conversation
    assert errors == []  # no CSP violation or script error
