"""The run browser in a real browser: charts draw, the epoch slider changes the grid, compare opens."""

from pathlib import Path

import pytest

from generator_app.models import RunStatus
from tests.web.run_factories import make_run

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (.ci/run installs it)"),
]


@pytest.fixture
def runs(transactional_db, media_root, django_user_model):
    django_user_model.objects.create_user("ada", password="a-long-test-password")
    return {
        "long": make_run(epochs_done=5, name="adam", seed=1),
        "short": make_run(epochs_done=3, epochs_total=5, status=RunStatus.FAILED, name="sgd", seed=2),
        "running": make_run(epochs_done=2, epochs_total=4, status=RunStatus.RUNNING, name="live", seed=3),
    }


@pytest.fixture
def page(live_server, runs):
    """Opened after the database work: Playwright's sync API runs an event loop in this
    thread, and Django refuses ORM calls from such a thread."""
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
            yield page
            assert errors == []  # no script error on any page visited
        finally:
            browser.close()


def test_open_a_run_move_the_epoch_slider_then_compare(live_server, runs, page):
    long, short = runs["long"], runs["short"]
    page.goto(f"{live_server.url}/runs/{long.pk}/")
    page.wait_for_selector("#dynamics-charts .uplot")
    page.wait_for_selector("#quality-charts .uplot")
    assert page.locator("#dynamics-charts .chart-card").count() >= 3

    image, label = page.locator("#grid-image"), page.locator("#grid-epoch")
    last_src = image.get_attribute("src")
    assert label.inner_text() == "Epoch 5 of 5"
    page.focus("#grid-slider")
    page.keyboard.press("Home")
    page.wait_for_function("document.getElementById('grid-epoch').textContent === 'Epoch 1 of 5'")
    first_src = image.get_attribute("src")
    assert first_src != last_src
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.getElementById('grid-epoch').textContent === 'Epoch 2 of 5'")
    assert image.get_attribute("src") not in (first_src, last_src)
    # The new image loads (the browser fetches it after the src change: wait, don't race it).
    page.wait_for_function("(i => i.complete && i.naturalWidth > 0)(document.getElementById('grid-image'))")

    page.click("label:has-text('per step')")
    page.wait_for_function("document.querySelector('#dynamics-charts .u-legend th')?.textContent.includes('step')")

    page.goto(f"{live_server.url}/runs/")
    assert page.locator("#compare-button").is_disabled()
    page.check(f"input[name=runs][value='{long.pk}']")
    page.check(f"input[name=runs][value='{short.pk}']")
    page.click("#compare-button")
    page.wait_for_url("**/runs/compare/?runs=*")
    page.wait_for_selector("#compare-charts .uplot")
    columns = page.locator(".grid-column")
    assert columns.count() == 2
    assert page.locator("#compare-epoch").inner_text() == "Epoch 3"  # the last epoch both reached
    assert page.locator(".clamp-note").count() == 0
    page.focus("#compare-slider")
    page.keyboard.press("End")
    page.wait_for_function("document.getElementById('compare-epoch').textContent === 'Epoch 5'")
    short_column = page.locator(f".grid-column[data-run='{short.pk}']")
    assert short_column.locator(".clamp-note").inner_text() == "Stopped at epoch 3: showing epoch 3."
    long_column = page.locator(f".grid-column[data-run='{long.pk}']")
    assert "epoch 5" in long_column.inner_text() and long_column.locator(".clamp-note").count() == 0


def add_epoch(run, epoch):
    """What the training sink stores after an epoch, done from a plain thread (see ``page``)."""
    import threading

    from django.core.files.base import ContentFile
    from django.db import connection

    from generator_app.models import EpochMetric, SampleGrid, TrainingRun
    from tests.web.run_factories import epoch_record, grid_png

    def write():
        try:
            losses, metrics, series, duration = epoch_record(epoch, epochs=run.epochs_total)
            EpochMetric.objects.create(run=run, epoch=epoch, step=epoch * 100, losses=losses, metrics=metrics,
                                       step_series=series, duration_seconds=duration)  # fmt: skip
            grid = SampleGrid(run=run, epoch=epoch)
            grid.image.save("g.png", ContentFile(grid_png(epoch=epoch, epochs=run.epochs_total)), save=True)
            TrainingRun.objects.filter(pk=run.pk).update(epochs_done=epoch, steps_done=epoch * 100)
        finally:
            connection.close()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join()


def test_a_running_run_updates_live(live_server, runs, page, media_root):
    running = runs["running"]
    page.goto(f"{live_server.url}/runs/{running.pk}/")
    page.wait_for_selector("#dynamics-charts .uplot")
    assert page.locator("#run-progress-text").inner_text().startswith("Epoch 2 of 4")
    points = "document.querySelector('[data-chart=loss]')._plot.data[0].length"
    assert page.evaluate(points) == 2
    add_epoch(running, 3)
    page.wait_for_function("document.getElementById('run-progress-text').textContent.startsWith('Epoch 3 of 4')")
    page.wait_for_function(f"{points} === 3")  # the new point is on the chart
    page.wait_for_function("document.getElementById('grid-epoch').textContent === 'Epoch 3 of 4'")
    assert page.locator("#grid-slider").get_attribute("max") == "2"
    assert page.locator("#run-progress").get_attribute("value") == "3"
