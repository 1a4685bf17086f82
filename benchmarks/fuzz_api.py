"""Fuzz every API operation with schemathesis against a live gunicorn; count server errors.

Starts the site as production would run it (gunicorn, two worker processes) on a free port,
with a signed-in user's token and some rows to read (a dataset, runs with epochs, a
generation), then runs ``schemathesis run`` on ``/api/schema/`` with every check. Prints the
server's own count of 5xx answers (from gunicorn's access log) and schemathesis's summary.

    .venv/bin/python benchmarks/fuzz_api.py --max-examples 20
    DATABASE_URL=postgres://... REDIS_URL=redis://.../3 .venv/bin/python benchmarks/fuzz_api.py

Without DATABASE_URL it uses a fresh SQLite file and filesystem broker in a temporary
folder. ``--project`` points at another checkout (e.g. an older commit) to measure it with
the same procedure. Throttle rates are raised so that the fuzzer meets validation, not 429s.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import cpu_model  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEED = """
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.authtoken.models import Token
from generator_app.models import Dataset, EpochMetric, GenerationRequest, GenerationStatus, TrainingRun
user, _ = get_user_model().objects.get_or_create(username="fuzzer")
dataset, _ = Dataset.objects.get_or_create(name="fuzz-mnist", defaults=dict(kind="digits", charset="digits",
    storage_path="shared/datasets/mnist", split_counts={"train": 10}, class_histogram={"train": {"0": 10}}))
now = timezone.now()
for status in ("running", "succeeded", "failed"):
    run = TrainingRun.objects.create(name="fuzz " + status, architecture="cgan-strong", epochs_total=3,
        epochs_done=2, status=status, started_at=now, heartbeat_at=now if status == "running" else None,
        finished_at=None if status == "running" else now, hyperparameters={"epochs": 3, "data_root": "/srv/x"},
        worker_host="host (pid 1)", code_version="abc", created_by=user,
        error_message="seeded failure" if status == "failed" else "")
    run.datasets.add(dataset)
    for epoch in (1, 2):
        EpochMetric.objects.create(run=run, epoch=epoch, step=10 * epoch, losses={"d_loss": 0.7},
                                   metrics={"cond_acc": 0.5, "fid": 3.0})
GenerationRequest.objects.create(user=user, text="hi 2026", style_seed=7, status=GenerationStatus.FAILED,
                                 error_message="seeded", finished_at=now)
print("TOKEN", Token.objects.get_or_create(user=user)[0].key)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(project, env, *args):
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=project, env=env, capture_output=True,
                          text=True, timeout=600)  # fmt: skip
    if done.returncode:
        raise SystemExit(f"manage.py {args[0]} failed:\n{done.stderr[-3000:]}")
    return done


def wait_for(url, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (our own server)
            return
        except urllib.error.HTTPError:
            return  # answering (401 without a token)
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer in {timeout}s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=ROOT, help="checkout to run (default: this one)")
    parser.add_argument("--max-examples", type=int, default=20)
    parser.add_argument("--checks", default="all")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    project = args.project.resolve()
    work = Path(tempfile.mkdtemp(prefix="handgen-fuzz-"))
    env = {
        **os.environ, "DEBUG": "1", "HANDGEN_VAR_DIR": str(work / "var"), "PYTHONPATH": str(project),
        "HANDGEN_API_USER_RATE": "100000/minute", "HANDGEN_GENERATE_RATE": "100000/minute",
        "HANDGEN_API_ANON_RATE": "100000/minute", "LOG_LEVEL": "ERROR",
    }  # fmt: skip
    env.pop("PYTEST_VERSION", None)
    config = "PostgreSQL + Redis" if env.get("REDIS_URL") else "SQLite + filesystem broker"
    manage(project, env, "migrate", "--noinput")
    manage(project, env, "register_pretrained")  # the shipped generators: text can be written
    token = re.search(r"TOKEN (\w+)", manage(project, env, "shell", "-c", SEED).stdout).group(1)
    port = free_port()
    access_log = work / "access.log"
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "handgen_site.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2",
         "--access-logfile", str(access_log), "--access-logformat", '%(s)s %(m)s "%(U)s"',
         "--error-logfile", str(work / "error.log")],
        cwd=project, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{port}/api/")
        started = time.monotonic()
        result = subprocess.run(
            [str(Path(sys.executable).parent / "schemathesis"), "run", f"http://127.0.0.1:{port}/api/schema/",
             "-H", f"Authorization: Token {token}", "--checks", args.checks, "--max-examples", str(args.max_examples),
             "--seed", str(args.seed), "--workers", "1", "--no-color", "--generation-database", "none",
             "--request-timeout", "30", "--suppress-health-check", "all"],
            cwd=work, env=env, capture_output=True, text=True, timeout=3600,
        )  # fmt: skip
        elapsed = time.monotonic() - started
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
    statuses = collections.Counter(line.split()[0] for line in access_log.read_text().splitlines() if line)
    errors = collections.Counter(
        " ".join(line.split()[1:]) for line in access_log.read_text().splitlines() if line.startswith("5")
    )
    (work / "schemathesis.txt").write_text(result.stdout + result.stderr)
    print(f"# {config}; project {project}; {cpu_model()}, {os.cpu_count()} CPUs")
    print(f"schemathesis exit {result.returncode} after {elapsed:.0f} s; --max-examples {args.max_examples}")
    print("answers by status:", dict(sorted(statuses.items())))
    print(f"server errors (5xx): {sum(errors.values())}")
    for request, count in errors.most_common(10):
        print(f"  {count} x {request[:160]}")
    summary = result.stdout[result.stdout.rfind("SUMMARY") - 80 :] if "SUMMARY" in result.stdout else result.stdout
    print(summary[-6000:])
    print(f"full output: {work / 'schemathesis.txt'}")


if __name__ == "__main__":
    main()
