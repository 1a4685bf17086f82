#!/usr/bin/env bash
# Command 1 of the README: install into .venv, prepare the database, then run the web
# server and a Celery worker together in the foreground. Ctrl-C stops both.
#
# Defaults need no server (SQLite + filesystem broker under var/); DATABASE_URL and
# REDIS_URL switch to PostgreSQL and Redis. HANDGEN_BIND (127.0.0.1:8000),
# WEB_CONCURRENCY (2), HANDGEN_WORKER_CONCURRENCY (1) and HANDGEN_GENERATE_CONCURRENCY (2)
# tune the processes.
#
# The site runs production-like (DEBUG=0: no debug pages, collected static files) unless
# `--dev` or DEBUG=1 asks for development. See serve_defaults in scripts/lib.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
for arg in "$@"; do
  case $arg in
    --dev) export DEBUG=1 ;;
    *) echo "usage: scripts/start.sh [--dev]" >&2; exit 2 ;;
  esac
done
ensure_venv
bind=${HANDGEN_BIND:-127.0.0.1:8000}
serve_defaults "$bind"

py=.venv/bin/python
# Job control puts each server in its own process group: Ctrl-C reaches only this
# script, which then stops them in order (and everything they started, by group).
set -m
# Static files need no database: with DEBUG=0 they are collected (and compressed) while the
# database is prepared; the web server starts once they are there.
(if DJANGO_SETTINGS_MODULE=handgen_site.settings $py -c 'import sys; from django.conf import settings; sys.exit(settings.DEBUG)'; then
  $py manage.py collectstatic --noinput -v0  # production (DEBUG=0) serves collected files
fi) &
static=$!
$py manage.py migrate --noinput
$py manage.py ensure_admin
$py manage.py register_pretrained ||
  echo "start.sh: some shipped generators could not be registered (reasons above); starting anyway" >&2
# Generation: its own queue, so a user's text never waits behind a training run; each process
# keeps the generators loaded between requests. Without Redis it checks the filesystem broker
# every 50 ms (not 200): a user waits on this queue. Started as soon as the generators are
# registered, so that TensorFlow is imported and they are loaded while the rest gets ready.
CELERY_POLLING_INTERVAL=${CELERY_POLLING_INTERVAL:-0.05} \
  .venv/bin/celery -A handgen_site worker -Q generate -n "handgen-generate@%h" \
  --concurrency "${HANDGEN_GENERATE_CONCURRENCY:-2}" --loglevel INFO &
writer=$!
trap 'kill -TERM -- "-$writer" "-$static" 2>/dev/null || true' EXIT  # a step below failed: stop it too
# Real datasets under HANDGEN_DATA_ROOT (../shared/datasets), once; then the shipped
# generators' training records as finished runs (after the datasets, so they link to them).
$py manage.py import_real_datasets ||
  echo "start.sh: some datasets could not be imported (reasons above); starting anyway" >&2
$py manage.py import_shipped_runs ||
  echo "start.sh: some shipped training runs could not be imported (reasons above); starting anyway" >&2
wait "$static"

.venv/bin/gunicorn handgen_site.wsgi --bind "$bind" --workers "${WEB_CONCURRENCY:-2}" --threads 4 \
  --access-logfile - &
web=$!
# Short tasks, plus celery beat (-B: the periodic check that re-queues runs whose worker died).
.venv/bin/celery -A handgen_site worker -Q default -n "handgen@%h" -B \
  --concurrency "${HANDGEN_WORKER_CONCURRENCY:-1}" --loglevel INFO &
worker=$!
# Training: one run at a time, in a fresh child per run so Keras/XLA memory is returned.
.venv/bin/celery -A handgen_site worker -Q gpu -n "handgen-gpu@%h" \
  --concurrency 1 --max-tasks-per-child 1 --loglevel INFO &
trainer=$!
stop() {
  trap - INT TERM
  kill -TERM "$web" "$worker" "$trainer" "$writer" 2>/dev/null || true
  # The worker finishes its current task on TERM; give both a moment, then stop what is
  # left hard (runs keep their state in the database and are picked up again).
  for _ in $(seq 20); do
    kill -0 -- "-$web" 2>/dev/null || kill -0 -- "-$worker" 2>/dev/null || kill -0 -- "-$trainer" 2>/dev/null ||
      kill -0 -- "-$writer" 2>/dev/null || return 0
    sleep 0.5
  done
  kill -KILL -- "-$web" "-$worker" "-$trainer" "-$writer" 2>/dev/null || true
}
trap - EXIT
trap 'echo; echo "Stopping HandGen..."; stop; exit 0' INT TERM

echo "HandGen is starting at http://$bind/  (admin: /admin/, API docs: /api/docs/). Ctrl-C stops the site and its worker."
set +e
wait -n "$web" "$worker" "$trainer" "$writer"  # if one exits, stop the others
status=$?
set -e
stop
exit "$status"
