"""The sweep page in a real browser (Debian chromium driven by Playwright): charts drawn, leaderboard sorts."""

from pathlib import Path

import pytest
from django.utils import timezone
from sweep_factories import make_sweep

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (.ci/run installs it)"),
]


@pytest.fixture
def sweep(transactional_db, media_root, django_user_model):
    django_user_model.objects.create_user("ada", password="a-long-test-password")
    return make_sweep(status="finished", finished_at=timezone.now())


def test_the_sweep_page_draws_its_charts_and_sorts_the_leaderboard(live_server, sweep, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(30_000)
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=username]", "ada")
            page.fill("input[name=password]", "a-long-test-password")
            page.click("main button[type=submit]")
            page.wait_for_url(f"{live_server.url}/")
            page.goto(f"{live_server.url}/sweeps/{sweep.pk}/")
            page.wait_for_selector("#objective-chart .uplot")
            assert page.locator(".parcoords polyline").count() == 4  # trials with a result
            assert page.locator(".parcoords polyline.pruned").count() == 1

            def trial_order():
                return page.locator("#leaderboard tbody tr").evaluate_all("rows => rows.map(r => r.dataset.trial)")

            assert trial_order() == ["1", "0", "3", "2", "4"]  # best first, no result last
            page.click("#leaderboard th:has-text('Trial')")
            assert trial_order() == ["0", "1", "2", "3", "4"]
            page.click("#leaderboard th:has-text('Trial')")
            assert trial_order() == ["4", "3", "2", "1", "0"]
            page.screenshot(path=str(tmp_path / "sweep.png"), full_page=True)
            assert errors == []
        finally:
            browser.close()
