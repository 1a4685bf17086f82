"""The whole site started by ``scripts/start.sh``, as a person starts it, for the tests that need it.

It runs production-like (DEBUG=0, collected static files served by WhiteNoise) on a free
port, with its own SQLite database, filesystem broker, media and static folders under a
temporary var dir, so it shares nothing with the test database or broker. Only the pip
step is skipped (HANDGEN_SKIP_INSTALL=1): a test never installs packages.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _die_with_the_test_process():
    """As for the test workers (conftest.py): if pytest dies without its teardown, Linux sends
    supervisord SIGTERM, and supervisord stops the whole stack."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

START_TIMEOUT = 300  # migrate, register the shipped generators, collectstatic, then four processes
ADMIN_PASSWORD = "a-long-stack-test-password"
# What a person's shell would not have: the test suite's database, broker and folders.
NOT_INHERITED = ("DATABASE_URL", "REDIS_URL", "HANDGEN_BROKER_DIR", "MEDIA_ROOT", "STATIC_ROOT", "PYTEST_VERSION",
                 "PYTEST_CURRENT_TEST", "CELERY_POLLING_INTERVAL")  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


class SiteStack:
    def __init__(self, base: Path):
        self.var_dir = base / "var"
        self.static_root = base / "static"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = base / "start.log"
        self.env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
        self.env.update(
            HANDGEN_SKIP_INSTALL="1", HANDGEN_VAR_DIR=str(self.var_dir), HANDGEN_BIND=f"127.0.0.1:{self.port}",
            HANDGEN_ADMIN_PASSWORD=ADMIN_PASSWORD, WEB_CONCURRENCY="1", HANDGEN_WORKER_CONCURRENCY="1",
            HANDGEN_GENERATE_CONCURRENCY="1", DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1,localhost", SECURE_SSL_REDIRECT="0", SESSION_COOKIE_SECURE="0",
            CSRF_COOKIE_SECURE="0", STATIC_ROOT=str(self.static_root),
        )  # fmt: skip
        self.process = None

    # --- life cycle ----------------------------------------------------------------------------
    def start(self, timeout=START_TIMEOUT):
        self.var_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                ["scripts/start.sh"], cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=_die_with_the_test_process,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"start.sh exited with {self.process.returncode}:\n{self.logs()[-4000:]}")
            with contextlib.suppress(OSError):
                if self.get("/accounts/login/", timeout=5).status == 200:
                    return self
            time.sleep(0.5)
        self.interrupt()
        raise TimeoutError(f"the site did not answer within {timeout}s:\n{self.logs()[-4000:]}")

    def interrupt(self, timeout=90):
        """Ctrl-C: start.sh became supervisord (exec), which gets the SIGINT a terminal sends."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            raise

    def processes(self) -> list[int]:
        """Every live process started for this stack (they all carry its HANDGEN_VAR_DIR)."""
        marker = f"HANDGEN_VAR_DIR={self.var_dir}".encode() + b"\0"
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                status = (entry / "stat").read_text()
                if marker in (entry / "environ").read_bytes() and status.split(")")[-1].split()[0] != "Z":
                    found.append(int(entry.name))
        return found

    def logs(self) -> str:
        with contextlib.suppress(FileNotFoundError):
            return self.log_path.read_text(errors="replace")
        return ""

    def supervisor_log(self) -> str:
        with contextlib.suppress(FileNotFoundError):
            return (self.var_dir / "supervisord.log").read_text(errors="replace")
        return ""

    # --- commands beside it ------------------------------------------------------------------
    def run(self, *args, timeout=120) -> str:
        done = subprocess.run(
            [str(PROJECT_ROOT / ".venv/bin/python"), *args], cwd=PROJECT_ROOT, env=self.env, capture_output=True,
            text=True, timeout=timeout,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return done.stdout

    def supervisorctl(self, *args) -> str:
        return self.run("-m", "supervisor.supervisorctl", "-c", "scripts/supervisord.conf", *args, timeout=60)

    def pid_of(self, program: str) -> int:
        return int(self.supervisorctl("pid", f"handgen:{program}").strip())

    def api_token(self) -> str:
        out = self.run("manage.py", "drf_create_token", "admin")
        return out.split("Generated token ")[1].split()[0]

    # --- HTTP ----------------------------------------------------------------------------------
    def request(self, method, path, *, body=None, headers=None, timeout=30) -> Response:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json", **(headers or {})} if data else dict(headers or {})
        url = path if path.startswith("http") else self.url + path  # the API answers with absolute URLs
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Response(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.headers, error.read())

    def get(self, path, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)
