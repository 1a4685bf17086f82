"""Probe a live site as an attacker would, and print what each probe got.

Starts gunicorn (two worker processes, like start.sh) on a free port over a fresh database
(or DATABASE_URL / REDIS_URL), with the default throttle rates, and tries: an oversized
anonymous upload to the sign-in page (peak bytes spooled to the server's temp folder), the
Generate form after the API answered 429, the generation rate across processes, a NUL
byte in a filter, deeply nested JSON, anonymous API floods, password guessing, what a
non-staff user reads on a run page, and a weak HANDGEN_ADMIN_PASSWORD.

    .venv/bin/python benchmarks/abuse_probes.py [--project CHECKOUT] [--upload-mib 600]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fuzz_api import free_port, manage, wait_for  # noqa: E402
from machine import cpu_model  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a-long-probe-password-7"
SEED = f"""
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.authtoken.models import Token
from generator_app.models import TrainingRun
User = get_user_model()
for name in ("pageuser", "rateuser", "guessed", "reader"):
    user = User.objects.create_user(name, password="{PASSWORD}")
    print("TOKEN", name, Token.objects.create(user=user).key)
run = TrainingRun.objects.create(name="probe", architecture="cgan-strong", epochs_total=1, status="failed",
    error_message="boom", error_details='File "/opt/secret/ml/loop.py", line 1', started_at=timezone.now(),
    finished_at=timezone.now(), worker_host="gpu-host-9 (pid 31337)", code_version="deadbeefcafe",
    hyperparameters={{"epochs": 1, "data_root": "/srv/secret-data/mnist"}})
print("RUN", run.pk)
"""
FORM = {"text": "12", "width": 800, "char_size": 48, "letter_spacing": 0.08, "line_spacing": 1.3, "slant": 0,
        "jitter": 0.3, "ink": "#1a1a6e", "background": "white"}  # fmt: skip


def folder_bytes(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):
            total += path.stat().st_size if path.is_file() else 0
    return total


def big_upload(port, tmp: Path, mib: int):
    """Stream a multipart body of ``mib`` MiB, with a valid CSRF token as a browser would send it
    (without one, the CSRF check refuses the request before the body is read); return (status or
    error, seconds, peak bytes spooled to the server's temp folder)."""
    csrf = requests.get(f"http://127.0.0.1:{port}/accounts/login/").cookies["csrftoken"]
    boundary = "probeboundary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{csrf}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode()  # fmt: skip
    tail = f"\r\n--{boundary}--\r\n".encode()
    chunk = b"\0" * 1024**2
    length = len(head) + mib * len(chunk) + len(tail)
    peak, done = [0], threading.Event()

    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], folder_bytes(tmp))
            time.sleep(0.05)

    threading.Thread(target=watch, daemon=True).start()
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    result = None
    try:
        conn.putrequest("POST", "/accounts/login/")
        conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        conn.putheader("Content-Length", str(length))
        conn.putheader("Cookie", f"csrftoken={csrf}")
        conn.endheaders()
        conn.send(head)
        for _ in range(mib):
            conn.send(chunk)
        conn.send(tail)
    except OSError as error:  # the server answered and closed before the body was sent
        result = type(error).__name__
    try:
        result = f"{conn.getresponse().status}" + (f" (after {result})" if result else "")
    except (OSError, http.client.HTTPException) as error:
        result = result or type(error).__name__
    elapsed = time.monotonic() - started
    time.sleep(0.3)
    done.set()
    return result, elapsed, peak[0]


def signed_in_session(base, username):
    session = requests.Session()
    session.get(f"{base}/accounts/login/")
    session.post(f"{base}/accounts/login/", data={"username": username, "password": PASSWORD,
                 "csrfmiddlewaretoken": session.cookies["csrftoken"]}, headers={"Referer": f"{base}/"})  # fmt: skip
    return session


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=ROOT)
    parser.add_argument("--upload-mib", type=int, default=600)
    args = parser.parse_args()
    project = args.project.resolve()
    work = Path(tempfile.mkdtemp(prefix="handgen-probe-"))
    (work / "tmp").mkdir()
    env = {**os.environ, "DEBUG": "1", "HANDGEN_VAR_DIR": str(work / "var"), "PYTHONPATH": str(project),
           "LOG_LEVEL": "ERROR", "TMPDIR": str(work / "tmp")}  # fmt: skip
    env.pop("PYTEST_VERSION", None)
    config = "PostgreSQL + Redis" if env.get("REDIS_URL") else "SQLite + filesystem broker"
    manage(project, env, "migrate", "--noinput")
    manage(project, env, "register_pretrained")
    out = manage(project, env, "shell", "-c", SEED).stdout
    tokens = dict(re.findall(r"TOKEN (\w+) (\w+)", out))
    run_id = re.search(r"RUN (\d+)", out).group(1)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "handgen_site.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2",
         "--timeout", "300"], cwd=project, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    rows = []
    try:
        wait_for(f"{base}/api/")
        status, seconds, peak = big_upload(port, work / "tmp", args.upload_mib)
        rows.append((f"{args.upload_mib} MiB anonymous POST to /accounts/login/",
                     f"answer {status} after {seconds:.1f} s; peak {peak / 1024**2:.0f} MiB in the server's temp folder"))

        def api(user):
            return {"Authorization": f"Token {tokens[user]}"}

        codes = [requests.post(f"{base}/api/generations/", json={"text": "12"}, headers=api("pageuser")).status_code
                 for _ in range(31)]  # fmt: skip
        page = signed_in_session(base, "pageuser")
        page.get(f"{base}/generate/")
        form = {**FORM, "csrfmiddlewaretoken": page.cookies["csrftoken"]}
        page_codes = [page.post(f"{base}/generate/", data=form, headers={"Referer": f"{base}/"},
                                allow_redirects=False).status_code for _ in range(35)]  # fmt: skip
        rows.append(("/generate/ form right after the API answered 429",
                     f"API {codes.count(202)} accepted then {codes[-1]}; form: "
                     f"{page_codes.count(302)} of 35 accepted, {page_codes.count(429)} answered 429"))

        rate = [requests.post(f"{base}/api/generations/", json={"text": "12"}, headers=api("rateuser")).status_code
                for _ in range(80)]  # fmt: skip
        rows.append(("80 API generation requests, limit 30/minute, 2 gunicorn processes",
                     f"{rate.count(202)} accepted, {rate.count(429)} answered 429"))

        nul = [requests.get(f"{base}{url}", headers=api("reader")).status_code
               for url in ("/api/runs/?architecture=%00", "/runs/?architecture=%00")]  # fmt: skip
        reader = signed_in_session(base, "reader")
        nul[1] = reader.get(f"{base}/runs/?architecture=%00").status_code
        rows.append(("NUL byte in ?architecture= (API, page)", f"{nul[0]}, {nul[1]}"))

        deep = '{"text": "hi", "options": ' + "[" * 5000 + "]" * 5000 + "}"
        answer = requests.post(f"{base}/api/generations/", data=deep, headers={**api("reader"),
                               "Content-Type": "application/json"})  # fmt: skip
        rows.append(("JSON nested 5,000 levels to POST /api/generations/", str(answer.status_code)))

        text = reader.get(f"{base}/runs/{run_id}/").text
        body = requests.get(f"{base}/api/runs/{run_id}/", headers=api("reader")).text
        shown = [name for name, secret in (("worker host", "gpu-host-9"), ("pid", "31337"), ("data path", "/srv/secret"),
                 ("commit", "deadbeefcafe"), ("traceback path", "/opt/secret")) if secret in text or secret in body]  # fmt: skip
        rows.append(("non-staff user reads a run (page + API)", "shows " + (", ".join(shown) or "none of them")))

        guesses = requests.Session()
        guesses.get(f"{base}/accounts/login/")
        tries = []
        for i in range(21):
            password = PASSWORD if i == 20 else f"wrong-{i}"
            tries.append(guesses.post(f"{base}/accounts/login/", data={"username": "guessed", "password": password,
                         "csrfmiddlewaretoken": guesses.cookies["csrftoken"]}, headers={"Referer": f"{base}/"},
                         allow_redirects=False).status_code)  # fmt: skip
        rows.append(("20 wrong passwords, then the right one",
                     f"wrong: {tries[:20].count(200)} x 200, {tries[:20].count(429)} x 429; right one: {tries[20]}"))

        anon = [requests.get(f"{base}/api/runs/").status_code for _ in range(100)]
        guess = [requests.get(f"{base}/api/runs/", headers={"Authorization": "Token " + "0" * 40}).status_code
                 for _ in range(20)]  # fmt: skip
        rows.append(("100 anonymous API reads, then 20 token guesses",
                     f"{anon.count(401)} x 401, {anon.count(429)} x 429; guesses: {guess.count(401)} x 401, "
                     f"{guess.count(429)} x 429"))
    finally:
        server.terminate()
        server.wait(timeout=30)
    weak = subprocess.run([sys.executable, "manage.py", "ensure_admin"], cwd=project, capture_output=True, text=True,
                          env={**env, "HANDGEN_ADMIN_PASSWORD": "admin"}, timeout=300)  # fmt: skip
    rows.append(("HANDGEN_ADMIN_PASSWORD=admin manage.py ensure_admin",
                 f"exit {weak.returncode}: {(weak.stdout + weak.stderr).strip().splitlines()[-1][:110]}"))
    print(f"# {config}; project {project}; {cpu_model()}, {os.cpu_count()} CPUs")
    for probe, outcome in rows:
        print(f"| {probe} | {outcome} |")


if __name__ == "__main__":
    main()
