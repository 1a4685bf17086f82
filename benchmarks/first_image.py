"""Time from README command 1 on a fresh machine to the first written image, phase by phase.

Clones the project (its committed HEAD) into a new temporary folder, so there is no
``.venv``, database or media yet, and runs ``scripts/start.sh`` there with pip's cache
turned off (``PIP_NO_CACHE_DIR=1``: every wheel is downloaded as on a new machine). It
stamps each line start.sh prints, polls the landing page until it answers, then signs in as
the first admin and sends "Hello, world 2026" through the API exactly like the Generate
page, and waits for the image. It prints when each phase began, the worker's own timings
for that first request, and the machine; then stops the site (Ctrl-C, as a user would) and
removes the clone unless ``--keep``.

    .venv/bin/python benchmarks/first_image.py [--data-root ../shared/datasets] [--keep]

The real datasets are read in place from ``--data-root`` (HANDGEN_DATA_ROOT), as the README
tells a new user to arrange; a clone in /tmp has no ``../shared`` of its own.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.machine import cpu_model  # noqa: E402

TEXT = "Hello, world 2026"
# (label, pattern in start.sh's output): the first line matching marks the phase's start.
MARKERS = [
    ("venv created", r"^Creating \.venv"),
    ("pip install started", r"^Installing .* into \.venv"),
    ("migrate started", r"^Operations to perform"),
    ("admin created", r"created admin user"),
    ("generators registered", r"registered generator"),
    ("datasets imported", r"dataset import took|no real dataset found"),
    ("shipped runs imported", r"imported the training run|already imported"),
    ("servers starting", r"^HandGen is starting"),
    ("gunicorn listening", r"Listening at:"),
    ("generation worker ready", r"handgen-generate@.* ready"),
    ("generators warm", r"generate_warm_up\[.*\] succeeded"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Output(threading.Thread):
    """Reads start.sh's combined output, keeps it, and stamps the first line of each marker."""

    def __init__(self, stream, started):
        super().__init__(daemon=True)
        self.stream, self.started = stream, started
        self.seen: dict[str, float] = {}
        self.lines: list[str] = []

    def run(self):
        for raw in self.stream:
            line = raw.decode(errors="replace").rstrip()
            self.lines.append(line)
            for label, pattern in MARKERS:
                if label not in self.seen and re.search(pattern, line):
                    self.seen[label] = time.monotonic() - self.started


class Client:
    """A browser's session: cookies, CSRF token, JSON."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self):
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, path, data=None, *, json_body=None, timeout=30):
        headers = {"Accept": "application/json", "Referer": self.base + "/"}
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers |= {"Content-Type": "application/json", "X-CSRFToken": self.csrf()}
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers |= {"Content-Type": "application/x-www-form-urlencoded"}
        url = path if path.startswith(("http://", "https://")) else self.base + path  # the API answers absolute URLs
        req = urllib.request.Request(url, data=body, headers=headers)
        with self.opener.open(req, timeout=timeout) as response:
            return response.status, response.read()


def wait_for_page(client, started, deadline):
    while time.monotonic() < deadline:
        try:
            status, _ = client.request("/", timeout=5)
            if status == 200:
                return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.25)
    raise TimeoutError("the landing page never answered")


def first_image(client, password, started, deadline):
    client.request("/accounts/login/")
    client.request("/accounts/login/", {"username": "admin", "password": password,
                                        "csrfmiddlewaretoken": client.csrf()})
    _, body = client.request("/api/generations/", json_body={"text": TEXT, "style_seed": 7})
    sent = time.monotonic() - started
    url = json.loads(body)["url"]
    while time.monotonic() < deadline:
        _, body = client.request(url)
        data = json.loads(body)
        if data["status"] == "succeeded":
            return sent, time.monotonic() - started, data
        if data["status"] == "failed":
            raise RuntimeError(f"the first generation failed: {data.get('error_message')}")
        time.sleep(0.1)
    raise TimeoutError("the first image never came")


def link_venv(venv: Path, clone: Path) -> None:
    """A .venv of links into an installed one, stamped as up to date, so start.sh installs nothing."""
    target = clone / ".venv"
    target.mkdir()
    for entry in venv.iterdir():
        if not entry.name.startswith(".requirements"):
            (target / entry.name).symlink_to(entry)
    digest = subprocess.run("cat requirements*.txt | sha256sum | cut -d' ' -f1", shell=True, cwd=clone,
                            capture_output=True, text=True, check=True).stdout.strip()
    (target / ".requirements.sha256").write_text(digest + "\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", default=str(ROOT.parent / "shared" / "datasets"))
    parser.add_argument("--timeout", type=float, default=1200.0, help="give up after this many seconds")
    parser.add_argument("--keep", action="store_true", help="keep the clone (and its .venv) afterwards")
    parser.add_argument("--reuse-venv", metavar="VENV", default=None,
                        help="time everything but the install: the clone's .venv links to this installed one")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="handgen-fresh-"))
    clone = workdir / "handgen"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    commit = subprocess.run(["git", "-C", str(clone), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    if args.reuse_venv:
        link_venv(Path(args.reuse_venv).resolve(), clone)
    port, password = free_port(), secrets.token_urlsafe(16)
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "VIRTUAL_ENV", "HANDGEN_VAR_DIR")}
    env |= {"PIP_NO_CACHE_DIR": "1", "HANDGEN_BIND": f"127.0.0.1:{port}", "HANDGEN_ADMIN_PASSWORD": password,
            "HANDGEN_DATA_ROOT": str(Path(args.data_root).resolve()), "PYTHONUNBUFFERED": "1"}
    install = f"reusing the installed {args.reuse_venv}" if args.reuse_venv else "pip cache off"
    print(f"fresh clone of {commit} in {clone}; {install}; port {port}", flush=True)
    started = time.monotonic()
    process = subprocess.Popen(["scripts/start.sh"], cwd=clone, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    output = Output(process.stdout, started)
    output.start()
    deadline = started + args.timeout
    client = Client(f"http://127.0.0.1:{port}")
    try:
        page = wait_for_page(client, started, deadline)
        sent, image, data = first_image(client, password, started, deadline)
        time.sleep(1.0)  # let the last log lines arrive
    except BaseException:
        print("\n".join(output.lines[-40:]), file=sys.stderr)
        raise
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"machine: {cpu_model()}, {os.cpu_count()} CPU cores; Python {sys.version.split()[0]}")
    print("seconds after README command 1 (scripts/start.sh) was run:")
    events = sorted([*output.seen.items(), ("landing page answered", page), ("first text sent", sent),
                     ("first image ready", image)], key=lambda item: item[1])
    for label, at in events:
        print(f"  {at:7.1f}  {label}")
    timings = data.get("timings") or {}
    print("the first request, as its worker recorded it (ms): "
          + ", ".join(f"{key} {value}" for key, value in timings.items()))
    print(f"first image {image:.1f} s after command 1 (target: under 180 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
