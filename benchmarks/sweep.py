"""A small real sweep on MNIST, with pruning and without: wall time, trials pruned, best vs the base config.

One Celery worker with two pool processes (``-Q default,gpu --concurrency 2
--max-tasks-per-child 1``) runs the trials, two at a time. The same sweep (same space,
random sampler, same sampler seed: the trials get the same parameters) runs twice, first
with the median pruner, then without, and the script prints for each: wall time from
Save to the sweep's end, the summed training time of its trials, how many trials ran at
once, which trials were pruned at which epoch, and the best trial's objective against
trial 0 (the base config). The objective is the per-epoch conditioning accuracy read by
the shipped digits evaluator (``eval_images`` per epoch).

Uses a throw-away test database of the configured kind (SQLite by default) and the
configured broker; ``--screenshot PATH`` also saves a picture of the first sweep's page
(Debian's chromium through Playwright)::

    .venv/bin/python benchmarks/sweep.py [--trials 8] [--epochs 4] [--steps 60] [--screenshot sweep.png]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.machine import cpu_model, database_url  # noqa: E402

SPACE = {
    "g_optimizer.learning_rate": {"type": "float", "low": 1e-4, "high": 3e-3, "log": True},
    "d_optimizer.learning_rate": {"type": "float", "low": 1e-4, "high": 3e-3, "log": True},
    "aux_weight": {"type": "float", "low": 0.0, "high": 2.0},
}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def form(args, dataset, pruner):
    return {
        "name": f"mnist sweep ({pruner})", "dataset": dataset.pk, "architecture": "cgan-strong", "queue": "gpu",
        "epochs": args.epochs, "seed": 1, "steps_per_epoch": args.steps, "batch_size": 64, "log_every": 20,
        "g_width": 16, "d_width": 16, "latent_dim": 32, "grid_per_class": 4, "eval_images": args.eval_images,
        "search_space": json.dumps(SPACE), "objective": "cond_acc", "direction": "", "sampler": "random",
        "sampler_seed": args.seed, "n_trials": args.trials, "parallelism": 2, "base_trial": "on", "pruner": pruner,
        "pruner_startup_trials": 2, "pruner_warmup_epochs": 1,
    }  # fmt: skip


def start_worker(env, log_path):
    log = open(log_path, "wb")  # noqa: SIM115  (the worker keeps writing to it)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "handgen_site", "worker", "-Q", "default,gpu", "-n", "bench-sweep@%h",
         "--concurrency", "2", "--max-tasks-per-child", "1", "--without-gossip", "--without-mingle",
         "--loglevel", "INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    wait(lambda: " ready." in Path(log_path).read_text(errors="replace") or process.poll() is not None, 300)
    if process.poll() is not None:
        raise RuntimeError(Path(log_path).read_text(errors="replace")[-3000:])
    return process


def stop(process):
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait(predicate, timeout=3600, interval=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError


def purge_queues():
    """Drop messages left by an interrupted earlier benchmark (not for production brokers)."""
    from handgen_site.celery import app

    with app.connection_for_write() as conn:
        for name in ("gpu", "default"):
            app.amqp.queues[name].bind(conn.default_channel).purge()


def max_overlap(runs):
    """The most trials that were training at the same moment."""
    events = sorted([(r.started_at, 1) for r in runs if r.started_at] + [(r.finished_at, -1) for r in runs
                                                                        if r.started_at and r.finished_at])  # fmt: skip
    best = current = 0
    for _, delta in events:
        current += delta
        best = max(best, current)
    return best


def run_sweep(client, args, dataset, pruner):
    from django.urls import reverse

    from generator_app.models import Sweep, SweepStatus, TrainingRun
    from generator_app.selectors.sweeps import sweep_summary, sweep_trials

    started = time.monotonic()
    response = client.post(reverse("admin:generator_app_sweep_add"), form(args, dataset, pruner))
    assert response.status_code == 302, response.content.decode()[-3000:]
    sweep = Sweep.objects.order_by("-pk").first()
    wait(lambda: Sweep.objects.filter(pk=sweep.pk).exclude(status=SweepStatus.RUNNING).exists())
    wall = time.monotonic() - started
    sweep.refresh_from_db()
    runs = list(TrainingRun.objects.filter(sweep=sweep).order_by("trial_number"))
    trials = sweep_trials(sweep=sweep)
    summary = sweep_summary(sweep=sweep, trials=trials)
    training = sum((r.finished_at - r.started_at).total_seconds() for r in runs if r.started_at and r.finished_at)
    pruned = [(r.trial_number, r.epochs_done) for r in runs if r.status == "pruned"]
    print(f"\n== sweep {sweep.pk}: pruner {pruner}, status {sweep.status} ==")
    for t in sorted(trials, key=lambda t: t["trial_number"]):
        params = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in t["params"].items())
        result = "—" if t["result"] is None else f"{t['result']:.4f}"
        print(f"  trial {t['trial_number']}: {t['status']:9s} epochs {t['epochs_done']}/{t['epochs_total']} "
              f"cond_acc {result:>7s}  {t['duration_seconds'] or 0:6.1f} s  {params}")  # fmt: skip
    best, base = summary["best"], summary["base"]
    print(f"  wall time {wall:.1f} s; trials' training time summed {training:.1f} s; "
          f"at most {max_overlap(runs)} trials at once")  # fmt: skip
    print(f"  pruned: {len(pruned)} ({', '.join(f'trial {n} at epoch {e}' for n, e in pruned) or 'none'})")
    if best and base and base["result"] is not None:
        print(f"  best: trial {best['trial_number']} cond_acc {best['result']:.4f}; base config (trial 0) "
              f"{base['result']:.4f}; {'beats' if best['result'] > base['result'] else 'does not beat'} the base")  # fmt: skip
    return sweep, wall, training


def screenshot(sweep, env, path, password):
    """The sweep page in Debian's chromium, served by runserver on a free port with the bench database."""
    from playwright.sync_api import sync_playwright

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait(lambda: _answers(base), 60, 0.3)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=username]", "bench")
            page.fill("input[name=password]", password)
            page.click("button[type=submit], input[type=submit]")
            page.goto(f"{base}/sweeps/{sweep.pk}/")
            page.wait_for_selector("#objective-chart .uplot", timeout=30_000)
            page.screenshot(path=str(path), full_page=True)
            browser.close()
    finally:
        stop(server)
    print(f"screenshot: {path}")


def _answers(base):
    import urllib.request

    try:
        urllib.request.urlopen(f"{base}/accounts/login/", timeout=2)
        return True
    except OSError:
        return False


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--steps", type=int, default=60, help="steps of 64 images per epoch")
    parser.add_argument("--eval-images", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7, help="sampler seed")
    parser.add_argument("--screenshot", type=Path)
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="handgen-sweep-bench-"))
    os.environ.setdefault("HANDGEN_VAR_DIR", str(scratch))
    os.environ["MEDIA_ROOT"] = str(scratch / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "handgen_site.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from generator_app.models import Dataset

    setup_test_environment()
    if connection.vendor == "postgresql":
        connection.settings_dict["TEST"]["NAME"] = "handgen_bench_sweep"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    purge_queues()
    env = {**os.environ, "DATABASE_URL": database_url(connection.settings_dict)}
    worker = start_worker(env, scratch / "worker.log")
    try:
        password = "bench-password-123"
        admin = get_user_model().objects.create_superuser("bench", password=password)
        mnist = ROOT.parent / "shared" / "datasets" / "mnist"
        dataset = Dataset.objects.create(name="mnist", kind="digits", charset="digits", storage_path=str(mnist))
        client = Client()
        client.force_login(admin)
        print(f"hardware: {os.cpu_count()} CPU cores ({cpu_model()}), load average {os.getloadavg()[0]:.1f}; "
              f"database: {connection.vendor}; broker: {'redis' if os.environ.get('REDIS_URL') else 'filesystem'}; "
              f"{args.trials} trials of {args.epochs} epochs x {args.steps} steps of 64 MNIST images, "
              f"{args.eval_images} images scored per epoch; worker log {scratch / 'worker.log'}")  # fmt: skip
        pruned_sweep, wall_pruned, train_pruned = run_sweep(client, args, dataset, "median")
        _, wall_full, train_full = run_sweep(client, args, dataset, "none")
        print(f"\npruning saved {wall_full - wall_pruned:.1f} s of wall time ({wall_pruned:.1f} vs {wall_full:.1f} s, "
              f"{1 - wall_pruned / wall_full:.0%}) and {train_full - train_pruned:.1f} s of trial training time")  # fmt: skip
        if args.screenshot:
            screenshot(pruned_sweep, env, args.screenshot.resolve(), password)
    finally:
        stop(worker)
        connection.close()
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


if __name__ == "__main__":
    main()
