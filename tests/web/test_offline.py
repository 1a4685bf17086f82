"""The site works offline: no page asks another host for anything, the favicon is there,
and an unknown URL gets a plain 404 page, not Django's debug listing."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Every kind of page a signed-in staff user reaches from the navigation ({run} = a run's id).
PAGES = [
    "/", "/generate/", "/generations/", "/runs/", "/runs/{run}/", "/runs/compare/?runs={run}&runs={other}",
    "/api/docs/", "/api/redoc/", "/admin/", "/admin/generator_app/trainingrun/",
    "/admin/generator_app/trainingrun/add/", "/admin/generator_app/dataset/", "/admin/generator_app/generatormodel/",
    "/no-such-page/",
]  # fmt: skip


def test_favicon_is_served_without_signing_in(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file


@pytest.mark.django_db
def test_unknown_urls_get_the_sites_404_page_not_the_debug_listing(client, settings, django_user_model):
    settings.DEBUG = False
    client.force_login(django_user_model.objects.create_user("ada", password="a-long-test-password"))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body and "/no-such-page/" in body
    assert "URLconf" not in body and "api/schema" not in body


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (.ci/run installs it)")
def test_no_page_requests_an_external_host(live_server, transactional_db, django_user_model, media_root):
    from generator_app.models import TrainingRun

    django_user_model.objects.create_superuser("root", password="a-long-test-password")
    call_command("register_pretrained")
    call_command("import_shipped_runs")  # runs with charts, grids and an evaluation to draw
    runs = list(TrainingRun.objects.values_list("pk", flat=True)[:2])
    if len(runs) < 2:
        pytest.skip("needs two shipped generators with training records")
    from playwright.sync_api import sync_playwright

    ours = urlsplit(live_server.url).netloc
    outside, missing = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(30_000)
            page.on("request", lambda r: outside.append(r.url)
                    if urlsplit(r.url).scheme in ("http", "https", "ws", "wss") and urlsplit(r.url).netloc != ours
                    else None)
            page.on("response", lambda r: missing.append(r.url) if r.status == 404 and "no-such-page" not in r.url
                    else None)
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=username]", "root")
            page.fill("input[name=password]", "a-long-test-password")
            page.click("main button[type=submit]")
            page.wait_for_load_state("networkidle")
            for url in PAGES:
                page.goto(live_server.url + url.format(run=runs[0], other=runs[1]))
                page.wait_for_load_state("networkidle")
            redoc_title = page.title()
        finally:
            browser.close()
    assert outside == []
    assert missing == []  # favicon included: browsers ask for /favicon.ico on every first visit
    assert redoc_title.endswith("HandGen")  # the last page was the site's own 404 page
