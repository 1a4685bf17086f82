"""The site as ``scripts/start.sh`` runs it: gunicorn with collected static files behind WhiteNoise,
and supervised workers, so one process that dies is restarted while the site keeps answering.

One stack serves the module (starting it costs a minute or more on a busy 2-core machine); the
tests run in file order and the last one stops it the way a person does, with Ctrl-C.
"""

import os
import re
import signal
import time

import pytest
from site_stack import SiteStack

pytestmark = pytest.mark.slow

GENERATION_TIMEOUT = 300  # the restarted worker first imports TensorFlow and loads the shipped models


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    site = SiteStack(tmp_path_factory.mktemp("stack"))
    site.start()
    yield site
    site.interrupt()


def test_a_page_and_a_hashed_static_file_are_served_by_gunicorn_and_whitenoise(stack):
    page = stack.get("/accounts/login/")
    assert page.status == 200 and b'name="password"' in page.body
    # Production templates name the collected, content-hashed file, e.g. css/site.3f2a9c81d0e4.css.
    hashed = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page.body)
    assert hashed, page.body[:2000]
    path = hashed.group(1).decode()
    assert (stack.static_root / path.removeprefix("/static/")).is_file()  # collectstatic ran into STATIC_ROOT

    served = stack.get(path, headers={"Accept-Encoding": "gzip"})
    assert served.status == 200 and served.headers["Content-Type"].startswith("text/css")
    assert served.headers["Content-Encoding"] == "gzip"  # WhiteNoise's pre-compressed copy
    assert "immutable" in served.headers["Cache-Control"]  # hashed names may be cached for ever
    assert stack.get(path).body == (stack.static_root / path.removeprefix("/static/")).read_bytes()
    assert stack.get("/static/css/not-there.css").status == 404


def test_a_killed_generation_worker_is_restarted_and_logged_while_the_site_keeps_answering(stack):
    killed = stack.pid_of("generate")
    web = stack.pid_of("web")
    os.kill(killed, signal.SIGKILL)  # its main process only, as the OOM killer would
    answers = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        answers.append(stack.get("/accounts/login/").status)
        status = stack.supervisorctl("status", "handgen:generate")
        if "RUNNING" in status and f"pid {killed}," not in status:
            break
        time.sleep(0.5)
    assert "RUNNING" in status and f"pid {killed}," not in status, status
    assert answers and set(answers) == {200}  # the site answered all along
    assert stack.pid_of("web") == web  # and gunicorn was left alone
    log = stack.supervisor_log()
    assert "exited: generate (terminated by SIGKILL; not expected)" in log
    assert log.count("spawned: 'generate'") == 2

    # The restarted worker draws a request written through the API, with the shipped generators.
    token = {"Authorization": f"Token {stack.api_token()}"}
    created = stack.request("POST", "/api/generations/", body={"text": "Hi 42", "style_seed": 3}, headers=token)
    assert created.status == 202, created.body
    url = created.json()["url"]
    deadline = time.monotonic() + GENERATION_TIMEOUT
    while time.monotonic() < deadline:
        body = stack.get(url, headers=token).json()
        if body["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.5)
    assert body["status"] == "succeeded", body
    assert body["model_versions"]["alnum-cased"]["generator"] == "alnum-cased-cgan-strong-v2"  # one hand for "Hi 42"
    image = stack.get(body["image_url"], headers=token)
    assert image.status == 200 and image.body.startswith(b"\x89PNG")


def test_ctrl_c_stops_every_process_of_the_stack(stack):
    running = stack.processes()
    assert len(running) >= 6  # supervisord, its listener, gunicorn and 3 workers, plus their children
    assert stack.interrupt() == 0
    time.sleep(1)
    assert stack.processes() == [], stack.supervisor_log()[-3000:]
    assert "received SIGINT indicating exit request" in stack.supervisor_log()
