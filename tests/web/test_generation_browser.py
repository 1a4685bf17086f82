"""A person writes "hello 2026" in a real browser and finds it again in My generations."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from generator_app.services.generation import check_text

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# A cold worker imports TensorFlow and loads the generators first: minutes on a CPU shared with training.
RESULT_TIMEOUT_MS = 420_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (.ci/run installs it)"),
]


@pytest.fixture
def ada(transactional_db, django_user_model):
    return django_user_model.objects.create_user("ada", password="a-long-test-password")


@pytest.fixture
def page(live_server, ada, default_generators, celery_worker):
    """Opened after the database work: Playwright's sync API runs an event loop in this thread."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


def image_loaded(page, selector):
    return page.eval_on_selector(selector, "img => img.complete && img.naturalWidth > 0")


def test_sign_in_write_hello_2026_and_find_it_in_my_generations(live_server, page, tmp_path):
    page.goto(f"{live_server.url}/generate/")
    page.fill("input[name=username]", "ada")
    page.fill("input[name=password]", "a-long-test-password")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/generate/")
    assert "Capitals are drawn as capitals" in page.locator("main").inner_text()

    page.fill("textarea[name=text]", "hello 2026")
    assert page.locator("#text-count").inner_text() == "10 / 1000"
    page.click("details.options summary")  # the page's pen: a width, and each glyph's own strokes
    page.fill("input[name=pen_width]", "0.1")
    page.uncheck("input[name=uniform]")
    assert page.input_value("input[name=slant]") == ""  # empty: the hand's own slant
    page.click("#generate-button")
    page.wait_for_selector("#result-figure", state="visible", timeout=RESULT_TIMEOUT_MS)
    page.wait_for_function("document.getElementById('result-image').naturalWidth > 0")
    assert page.url == f"{live_server.url}/generate/"  # no reload: the result came in place
    assert page.locator("#result-seed").inner_text().startswith("Seed ")
    seed = page.locator("#result-seed").inner_text().split()[1]
    assert page.get_attribute("#download-png", "href").endswith("image.png?download=1")
    page.screenshot(path=str(tmp_path / "generate.png"), full_page=True)
    options = page.request.get(f"{live_server.url}/api/generations/").json()["results"][0]["options"]
    assert options["pen_width"] == 0.1 and options["uniform"] is False and options["slant"] is None

    page.click("#again-button")  # make again with this seed: the seed field takes it
    assert page.input_value("input[name=style_seed]") == seed

    page.fill("textarea[name=text]", "hello ~")  # a form error, shown in place
    page.click("#generate-button")
    page.wait_for_selector("#error-text p")
    assert "'~' at position 7" in page.locator("#error-text").inner_text()

    # Pasted past the limit: kept whole (no silent cut) and refused before sending, with the API's message.
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.fill("textarea[name=text]", "a" * 1001)
    assert len(page.input_value("textarea[name=text]")) == 1001
    assert page.locator("#text-count").inner_text() == "1001 / 1000"
    page.click("#generate-button")
    page.wait_for_function("document.getElementById('error-text').innerText.includes('1001')")
    with pytest.raises(ValidationError) as api_error:
        check_text("a" * 1001)
    assert page.locator("#error-text").inner_text().strip() == api_error.value.message_dict["text"][0]
    assert posts == []

    page.click("header >> text=My generations")
    page.wait_for_url(f"{live_server.url}/generations/")
    card = page.locator("li.card", has_text="hello 2026")
    assert card.count() == 1
    assert seed in card.locator(".seed").inner_text()
    page.wait_for_function("[...document.querySelectorAll('li.card img')].every(i => i.complete && i.naturalWidth > 0)")
    assert image_loaded(page, "li.card img")
    page.screenshot(path=str(tmp_path / "my_generations.png"), full_page=True)
    card.locator("text=Make again with this seed").click()
    page.wait_for_url(f"{live_server.url}/generate/?from=*")
    assert page.input_value("textarea[name=text]") == "hello 2026"
    assert page.input_value("input[name=style_seed]") == seed
