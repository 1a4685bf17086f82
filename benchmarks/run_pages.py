"""How fast the run browser answers for long runs: pages and API calls, queries and bytes.

Builds a throw-away SQLite database in a temporary folder, adds ``--runs`` finished runs of
``--epochs`` epochs (10+ metrics per epoch, 20 logged steps per epoch, one grid row per
epoch) and times each request ``--repeat`` times through Django's test client (no network),
printing the median, the number of SQL queries and the response size. Run with the machine
otherwise idle:

    .venv/bin/python benchmarks/run_pages.py [--epochs 200] [--runs 4] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django(var_dir):
    os.environ["HANDGEN_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "handgen_site.settings")
    os.environ.pop("DATABASE_URL", None)  # always a fresh SQLite file, never a real database
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)


def measure(client, url, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, size, queries = [], 0, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code, body[:200])
        size, queries = len(body), len(captured.captured_queries)
    return statistics.median(times), queries, size


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="handgen-bench-") as tmp:
        setup_django(Path(tmp))
        from django.contrib.auth import get_user_model
        from django.test import Client

        from tests.web.run_factories import make_long_run

        start = time.perf_counter()
        runs = [make_long_run(epochs=args.epochs, seed=i, name=f"bench {i}") for i in range(args.runs)]
        print(f"created {args.runs} runs x {args.epochs} epochs in {time.perf_counter() - start:.1f}s")
        user = get_user_model().objects.create_user("bench", password="a-long-benchmark-password")
        client = Client()
        client.force_login(user)
        run = runs[0]
        ids = ",".join(str(r.pk) for r in runs[:4])
        urls = [
            "/runs/",
            "/runs/?sort=-cond_acc",
            f"/runs/{run.pk}/",
            f"/api/runs/{run.pk}/series/?scale=epoch",
            f"/api/runs/{run.pk}/series/?scale=step",
            f"/api/runs/{run.pk}/samples/",
            f"/runs/compare/?runs={ids}",
            f"/api/runs/compare/?ids={ids}",
            f"/runs/{run.pk}/export/epochs.csv",
            f"/runs/{run.pk}/export/tensorboard.zip",
        ]
        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
              f"Python {platform.python_version()}, SQLite; median of {args.repeat}")  # fmt: skip
        print(f"{'request':58} {'median ms':>9} {'queries':>7} {'KiB':>8}")
        for url in urls:
            seconds, queries, size = measure(client, url, args.repeat)
            print(f"{url:58} {seconds * 1000:9.1f} {queries:7d} {size / 1024:8.1f}")


if __name__ == "__main__":
    main()
