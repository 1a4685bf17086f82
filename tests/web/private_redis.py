"""A redis-server of the test's own, on a free port, that a test may stop and start again.

The broker-outage and redelivery tests need a Redis they can take down, or one whose unacked
messages they can count. The suite's broker (REDIS_URL in CI) is shared by every test and
by the session's worker; this one is not, and it keeps nothing on disk.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import time
from pathlib import Path

from site_stack import free_port

START_TIMEOUT = 20


def _die_with_the_test_process():
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class PrivateRedis:
    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.process = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int = 0):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, db=db, socket_timeout=5)

    def start(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / "redis.log", "ab") as log:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--daemonize", "no", "--dir", str(self.folder)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=_die_with_the_test_process,
            )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                if self.client().ping():
                    return self
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start:\n{(self.folder / 'redis.log').read_text()[-2000:]}")

    def stop(self):
        """What an outage looks like to a client: the port refuses connections."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@contextlib.contextmanager
def celery_app_publishing_to(url: str, **transport_options):
    """Point this process's Celery app (what the services publish with) at another broker.

    Celery caches its connection pool and producer pool on first use: both are dropped
    so the next publish connects to ``url``, and dropped again on the way out.
    """
    from handgen_site.celery import app

    saved = app.conf.broker_url, app.conf.broker_transport_options

    def reset_pools():
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None

    reset_pools()
    app.conf.broker_url, app.conf.broker_transport_options = url, transport_options
    try:
        yield app
    finally:
        reset_pools()
        app.conf.broker_url, app.conf.broker_transport_options = saved
