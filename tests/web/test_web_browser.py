"""A person's first visit in a real browser (Debian chromium driven by Playwright)."""

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian chromium is not installed (.ci/run installs it)"
    ),
]


@pytest.fixture
def ada(transactional_db, django_user_model):
    return django_user_model.objects.create_user("ada", password="a-long-test-password")


@pytest.fixture
def page(live_server, ada):
    """A browser page, opened after the database work: Playwright's sync API keeps an event
    loop running in this thread, and Django refuses ORM calls from such a thread."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


def test_sign_in_see_the_landing_page_and_sign_out(live_server, page, tmp_path):
    page.goto(f"{live_server.url}/runs/")
    assert "/accounts/login/" in page.url  # a protected page sends visitors to sign in
    page.fill("input[name=username]", "ada")
    page.fill("input[name=password]", "a-long-test-password")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/runs/")
    assert page.locator("h1").inner_text() == "Training runs"

    page.click("a.brand")
    page.wait_for_url(f"{live_server.url}/")
    assert "Signed in as ada" in page.locator("main").inner_text()
    nav = page.locator("header nav").inner_text()
    for label in ["Generate", "My generations", "Runs", "Sign out"]:
        assert label in nav
    assert "Admin" not in nav
    page.screenshot(path=str(tmp_path / "landing.png"), full_page=True)

    page.click("text=Sign out")
    page.wait_for_load_state()
    assert "Sign in" in page.locator("header nav").inner_text()
    page.goto(f"{live_server.url}/generate/")
    assert "/accounts/login/" in page.url
