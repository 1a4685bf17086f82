"""Submit-to-image-ready latency of text generation, and requests per second under 20 clients.

Runs the real stack as start.sh does: gunicorn (``handgen_site.wsgi``, 2 workers × 4 threads)
and the generation worker (``celery worker -Q generate --concurrency 2``, filesystem broker
woken by each message, polled every 50 ms besides), on a throw-away database of the
configured kind (SQLite by default, PostgreSQL with DATABASE_URL) and the configured broker
(filesystem by default, Redis with REDIS_URL). Generators: the shipped ones in ml/pretrained
when there are any, else two untrained-but-real cgan-strong exports of the shipped size
(g_width 48) built by tests/web/tiny_generators.py. Evaluators in ml/pretrained/evaluators are
used when present (an untrained generator's glyphs are all unreadable, so every glyph is
redrawn the maximum number of times: the worst case; the printed redraw counts say so).

Each latency sample is one client: POST /api/generations/ (token auth) → poll GET every 25 ms
until ``succeeded``; the time from sending the POST to seeing ``succeeded`` is the latency
(the image is written before the status changes). The worker's own phase timings (stored on
each request) are printed beside it, so a missed target shows where the time went.

    .venv/bin/python benchmarks/generation.py [--samples 30] [--long-samples 10] [--clients 20]
        [--concurrency-seconds 30] [--worker-concurrency 2]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.machine import cpu_model, database_url  # noqa: E402

TARGETS = {100: (150.0, 400.0)}  # characters: (p50 ms, p95 ms)
# The latency client polls this often: fine enough to see the finish within ~12 ms, coarse
# enough that its own GETs do not take much CPU from the worker on a 2-core machine.
POLL_SECONDS = 0.025
PHASES = ("queue_ms", "load_ms", "draw_ms", "read_ms", "layout_ms", "render_ms", "save_ms", "work_ms", "work_cpu_ms",
          "total_ms")
PROSE = (
    "On 14 March 2026 the committee met at 9:30 in room 12. Attendance: 27 of 31 members. "
    "Minutes of the last meeting were read and approved (with one correction: the budget is 4800, "
    "not 4300). The chair asked, \"Who will write the report?\" Nobody answered; then Ada said "
    "she would, if someone checked the figures. Items: the garden, the roof - leaking again - and "
    "the new Library hours; Monday to Friday 8 to 20, Saturday 10 to 16. Next meeting: 2 May. "
)


def hardware() -> str:
    model = cpu_model()
    load = "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    return f"{model}, {os.cpu_count()} logical CPUs, {load}"


def text_of(length: int, offset: int) -> str:
    prose = PROSE * (length // len(PROSE) + 2)
    start = (offset * 37) % len(PROSE)
    return prose[start : start + length]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(args, log_path, env, ready_text, timeout=600):
    log = open(log_path, "wb")  # noqa: SIM115  (the child keeps writing to it)
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready_text in Path(log_path).read_text(errors="replace"):
            return process
        if process.poll() is not None:
            raise RuntimeError(Path(log_path).read_text(errors="replace")[-3000:])
        time.sleep(0.2)
    raise TimeoutError(f"{args[:4]} not ready: {Path(log_path).read_text(errors='replace')[-3000:]}")


def stop(process):
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def register_generators(scratch: Path) -> str:
    """Register the shipped generators, or build and register tiny ones; return a description."""
    from django.conf import settings
    from django.core.files import File

    from generator_app.models import GeneratorModel
    from generator_app.services.pretrained import file_sha256, register_pretrained_generators

    report = register_pretrained_generators(directory=settings.HANDGEN_PRETRAINED_DIR)
    defaults = GeneratorModel.objects.filter(is_default=True)
    if defaults.exists():
        return "shipped: " + ", ".join(f"{g.charset}={g.name}" for g in defaults) + (
            f" (problems: {report.errors})" if report.errors else ""
        )
    result = subprocess.run(
        [sys.executable, "-m", "tests.web.tiny_generators", str(scratch / "tiny"), "--width", "48"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    paths = json.loads(result.stdout.strip().splitlines()[-1])
    for charset, path in paths.items():
        generator = GeneratorModel(name=f"bench-{charset}", charset=charset, architecture="cgan-strong",
                                   weights_sha256=file_sha256(path), is_default=True)  # fmt: skip
        with open(path, "rb") as handle:
            generator.weights.save("model.keras", File(handle), save=False)
        generator.full_clean()
        generator.save()
    return "untrained cgan-strong exports of the shipped size (no shipped generators yet): " + ", ".join(paths)


class Client:
    """One API client on a keep-alive connection."""

    def __init__(self, port: int, token: str):
        self.port, self.headers = port, {"Authorization": f"Token {token}", "Accept": "application/json"}
        self.conn = None

    def request(self, method, path, body=None):
        for attempt in range(3):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
                headers = dict(self.headers)
                data = None
                if body is not None:
                    data = json.dumps(body).encode()
                    headers["Content-Type"] = "application/json"
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                return response.status, json.loads(payload) if payload else None
            except (http.client.HTTPException, ConnectionError, OSError):
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def generate(self, text: str, seed: int, poll: float, backoff: float = 1.0, max_poll: float = 1.5):
        """Submit and wait (polling every ``poll`` s, growing by ``backoff``); return (latency ms, request)."""
        sent = time.perf_counter()
        status, body = self.request("POST", "/api/generations/", {"text": text, "style_seed": seed})
        if status != 202:
            raise RuntimeError(f"POST answered {status}: {body}")
        path = "/api/generations/" + body["id"] + "/"
        while body["status"] not in ("succeeded", "failed"):
            time.sleep(poll)
            poll = min(poll * backoff, max_poll)
            status, body = self.request("GET", path)
        latency = (time.perf_counter() - sent) * 1000.0
        if body["status"] != "succeeded":
            raise RuntimeError(f"generation failed: {body['error_message']}")
        return latency, body


def percentile(values, q):
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def latency_table(client: Client, args) -> None:
    print("\nSubmit-to-image-ready latency, one client at a time, warm worker (ms):")
    print(f"{'chars':>6} {'n':>3} {'p50':>8} {'p95':>8} {'max':>8}   worker phases, median ms "
          "(queue load draw read layout render save | work work-CPU total)   glyphs draw-calls")
    for length, samples in ((10, args.samples), (100, args.samples), (1000, args.long_samples)):
        latencies, bodies = [], []
        for k in range(samples):
            latency, body = client.generate(text_of(length, k), seed=1000 + k, poll=POLL_SECONDS)
            latencies.append(latency)
            bodies.append(body)
        med = {p: statistics.median(b["timings"].get(p, 0.0) for b in bodies) for p in PHASES}
        glyphs = statistics.median(b["timings"]["glyphs_drawn"] for b in bodies)
        calls = statistics.median(b["timings"]["draw_calls"] for b in bodies)
        p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
        verdict = ""
        if length in TARGETS:
            t50, t95 = TARGETS[length]
            verdict = f"   target p50 < {t50:.0f}, p95 < {t95:.0f}: {'met' if p50 < t50 and p95 < t95 else 'MISSED'}"
        phases = " ".join(f"{med[p]:.0f}" for p in PHASES[:7])
        phases += f" | {med['work_ms']:.0f} {med['work_cpu_ms']:.0f} {med['total_ms']:.0f}"
        print(f"{length:>6} {samples:>3} {p50:8.1f} {p95:8.1f} {max(latencies):8.1f}   {phases}   "
              f"{glyphs:.0f} {calls:.0f}{verdict}", flush=True)


def throughput(port: int, tokens: list[str], seconds: float) -> None:
    done, failures, latencies = [], [], []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client_loop(index, token):
        client = Client(port, token)
        k = 0
        while time.perf_counter() < stop_at:
            try:
                # polled as the Generate page does: 150 ms, growing 1.5× to at most 1.5 s
                latency, _ = client.generate(text_of(100, index * 1000 + k), seed=index * 1000 + k, poll=0.15,
                                             backoff=1.5)
            except Exception as error:  # noqa: BLE001  (count it, keep going)
                with lock:
                    failures.append(str(error))
                continue
            with lock:
                done.append(time.perf_counter())
                latencies.append(latency)
            k += 1

    began = time.perf_counter()
    threads = [threading.Thread(target=client_loop, args=(i, t)) for i, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    print(f"\n{len(tokens)} concurrent clients (each its own user), 100-character requests, each submitting "
          f"again as soon as its last one is ready, for {seconds:.0f} s (then waiting for the last ones):")
    print(f"  {len(done)} requests in {wall:.1f} s = {len(done) / wall:.2f} requests/s; "
          f"latency under load p50 {percentile(latencies, 0.5):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms; "
          f"failures {len(failures)}{' (first: ' + failures[0] + ')' if failures else ''}")


def check_redis_database_is_free():
    """Another process's worker on the same Redis database would take our messages: refuse that."""
    url = os.environ.get("REDIS_URL")
    if not url:
        return
    import redis

    server = redis.Redis.from_url(url)
    db = server.connection_pool.connection_kwargs.get("db", 0)
    others = [c for c in server.client_list() if int(c.get("db", 0)) == db]
    if len(others) > 1:  # this check's own connection is one of them
        raise SystemExit(f"{len(others) - 1} other client(s) use Redis database {db}; their workers could take the "
                         "benchmark's messages. Point REDIS_URL at an unused database number.")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=30, help="requests per size for 10 and 100 characters")
    parser.add_argument("--long-samples", type=int, default=10, help="requests of 1,000 characters")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--concurrency-seconds", type=float, default=30.0)
    parser.add_argument("--worker-concurrency", type=int, default=2,
                        help="generation worker processes (start.sh: HANDGEN_GENERATE_CONCURRENCY, default 2)")
    args = parser.parse_args(argv)

    check_redis_database_is_free()
    scratch = Path(tempfile.mkdtemp(prefix="handgen-generation-bench-"))
    os.environ.setdefault("HANDGEN_VAR_DIR", str(scratch))
    os.environ["MEDIA_ROOT"] = str(scratch / "media")
    os.environ["HANDGEN_GENERATE_RATE"] = "1000000/minute"  # the benchmark measures the stack, not the throttle
    os.environ["HANDGEN_API_USER_RATE"] = "1000000/minute"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "handgen_site.settings")
    import django
    from django.conf import settings

    django.setup()
    from django.db import connection

    if connection.vendor == "postgresql":
        connection.settings_dict["TEST"]["NAME"] = "handgen_bench_generation"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    processes = []
    try:
        from django.contrib.auth import get_user_model
        from rest_framework.authtoken.models import Token

        from handgen_site.celery import app

        with app.connection_for_write() as conn:  # messages left by an interrupted run (a scratch broker)
            app.amqp.queues["generate"].bind(conn.default_channel).purge()
        generators = register_generators(scratch)
        users = [get_user_model().objects.create_user(f"bench{i}", password="bench-password-123")
                 for i in range(max(args.clients, 1))]  # fmt: skip
        tokens = [Token.objects.create(user=u).key for u in users]
        connection.close()

        env = {**os.environ, "DATABASE_URL": database_url(connection.settings_dict)}
        port = free_port()
        processes.append(start(
            [sys.executable, "-m", "gunicorn", "handgen_site.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
             "--threads", "4"], scratch / "web.log", env, "Booting worker",
        ))  # fmt: skip
        processes.append(start(
            [sys.executable, "-m", "celery", "-A", "handgen_site", "worker", "-Q", "generate", "-n", "bench-gen@%h",
             "--concurrency", str(args.worker_concurrency), "--without-gossip", "--without-mingle",
             "--loglevel", "INFO"], scratch / "worker.log", {"CELERY_POLLING_INTERVAL": "0.05", **env}, " ready.",
        ))  # fmt: skip
        print(f"hardware: {hardware()}")
        print(f"stack: gunicorn 2×4 threads, {args.worker_concurrency} generation worker process(es); "
              f"database {connection.vendor}; broker {'redis' if os.environ.get('REDIS_URL') else 'filesystem'}; "
              f"evaluators {'present' if any(Path(settings.HANDGEN_EVALUATOR_DIR).glob('*/model.keras')) else 'absent'}, "
              f"up to {settings.HANDGEN_GLYPH_REDRAWS} redraws per glyph")
        print(f"generators: {generators}")
        client = Client(port, tokens[0])
        began = time.perf_counter()
        for length in (10, 100, 1000, 37, 100):  # load models, trace a few batch sizes
            client.generate(text_of(length, 99), seed=1, poll=0.05)
        print(f"warm-up (first request loads TensorFlow and the models): {time.perf_counter() - began:.1f} s")
        latency_table(client, args)
        throughput(port, tokens[: args.clients], args.concurrency_seconds)
    finally:
        for process in processes:
            stop(process)
        connection.close()
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


if __name__ == "__main__":
    main()
