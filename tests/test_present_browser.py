"""Presentation mode in the real app (Debian's chromium): open Present, step with the arrow keys,
switch to the dark-room theme; screenshots into the test's tmp_path (test artifacts, looked at by hand:
tmp_path is kept by pytest under its basetemp)."""
from __future__ import annotations

import pytest

from tests.conftest import wait_for_app

pytestmark = pytest.mark.browser


def _counter(page) -> str:
    return page.locator(".present-count").first.inner_text().strip()


def _wait_counter(page, text: str) -> None:
    page.wait_for_function(
        "t => { const e = document.querySelector('.present-count'); return e && e.innerText.trim() === t; }",
        arg=text, timeout=30_000)
    wait_for_app(page)


def test_present_with_the_keyboard(app_url, page, tmp_path):
    page.set_viewport_size({"width": 1600, "height": 900})  # a 16:9 projector
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_text("NELM Outcomes Explorer").first.wait_for(timeout=60_000)
    link = page.locator('[data-testid="stSidebarNav"] a', has_text="Present").first
    link.wait_for(timeout=30_000)
    link.click()  # the navigation's link
    wait_for_app(page)
    try:
        page.locator(".present-count").first.wait_for(timeout=60_000)
    except Exception:
        page.screenshot(path=str(tmp_path / "present_failed.png"))
        raise
    assert page.locator('[data-testid="stException"]').count() == 0
    first = _counter(page)
    assert first.startswith("1 / ")
    n = int(first.split(" / ")[1])
    assert page.locator('[data-testid="stSidebar"]').is_hidden()
    assert page.locator('header[data-testid="stHeader"]').is_hidden()
    assert page.get_by_text("Exit presentation").first.is_visible()
    page.screenshot(path=str(tmp_path / "present_01_title.png"))

    page.locator(".present-title").first.click()  # focus the page, not a widget
    page.keyboard.press("ArrowRight")
    _wait_counter(page, f"2 / {n}")
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.wait_for(timeout=30_000)
    assert chart.is_visible() and chart.bounding_box()["height"] > 400
    assert page.locator('[data-testid="stSidebar"]').is_hidden()
    title_size = page.locator(".present-title").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    number_size = page.locator(".present-numbers li").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert title_size >= 36 and number_size >= 26  # readable from the back of the room
    page.screenshot(path=str(tmp_path / "present_02_survival.png"))

    page.keyboard.press("ArrowRight")
    _wait_counter(page, f"3 / {n}")
    page.screenshot(path=str(tmp_path / "present_03.png"))
    page.keyboard.press("ArrowLeft")
    _wait_counter(page, f"2 / {n}")

    page.get_by_text("Dark room").first.click()
    wait_for_app(page)
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.stApp')).backgroundColor === 'rgb(18, 18, 18)'",
        timeout=30_000)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=30_000)
    page.wait_for_timeout(800)
    page.screenshot(path=str(tmp_path / "present_04_dark.png"))
    for k in range(3, n + 1):
        page.locator(".present-title").first.click()
        page.keyboard.press("ArrowRight")
        _wait_counter(page, f"{k} / {n}")
        page.wait_for_timeout(400)
        page.screenshot(path=str(tmp_path / f"present_dark_{k:02d}.png"))
    assert page.locator('[data-testid="stException"]').count() == 0

    page.get_by_text("Exit presentation").first.click()
    wait_for_app(page)
    page.get_by_role("heading", name="Report").first.wait_for(timeout=30_000)
    assert page.locator('[data-testid="stSidebar"]').is_visible()
