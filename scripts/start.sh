#!/usr/bin/env bash
# Command 1 of the README: install into .venv, prepare the database, then run the web
# server and the Celery workers in the foreground, supervised. Ctrl-C stops them all.
#
# Defaults need no server (SQLite + filesystem broker under var/); DATABASE_URL and
# REDIS_URL switch to PostgreSQL and Redis. HANDGEN_BIND (127.0.0.1:8000),
# WEB_CONCURRENCY (2), HANDGEN_WORKER_CONCURRENCY (2) and HANDGEN_GENERATE_CONCURRENCY (2)
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
# Static files need no database: with DEBUG=0 they are collected (and compressed) while the
# database is prepared; the web server starts once they are there.
(if DJANGO_SETTINGS_MODULE=handgen_site.settings $py -c 'import sys; from django.conf import settings; sys.exit(settings.DEBUG)'; then
  $py manage.py collectstatic --noinput -v0  # production (DEBUG=0) serves collected files
fi) &
static=$!
trap 'kill -TERM "$static" 2>/dev/null || true' EXIT  # a step below failed: stop it too
$py manage.py migrate --noinput
$py manage.py ensure_admin
$py manage.py register_pretrained ||
  echo "start.sh: some shipped generators could not be registered (reasons above); starting anyway" >&2
# Real datasets under HANDGEN_DATA_ROOT (../shared/datasets), once; then the shipped
# generators' training records as finished runs (after the datasets, so they link to them).
$py manage.py import_real_datasets ||
  echo "start.sh: some datasets could not be imported (reasons above); starting anyway" >&2
$py manage.py import_shipped_runs ||
  echo "start.sh: some shipped training runs could not be imported (reasons above); starting anyway" >&2
wait "$static"

trap - EXIT
# The processes run under supervisord (scripts/supervisord.conf): one that dies is logged and
# started again while the others keep serving, and Ctrl-C stops them all. exec: supervisord
# takes this script's place, so the terminal's Ctrl-C (or a TERM sent to this script's pid)
# reaches it directly.
export HANDGEN_VAR_DIR=${HANDGEN_VAR_DIR:-$PWD/var}
export HANDGEN_BIND=$bind
export WEB_CONCURRENCY=${WEB_CONCURRENCY:-2}
# Two default-queue processes: an export (up to 16 min) or a dataset download (up to an hour)
# holds one, and the other stays free for beat's periodic recovery checks and sheet readings.
# The cost is one more Django process in memory (no TensorFlow: training and generation run
# in their own workers); 1 saves it but lets a long job delay every recovery check.
export HANDGEN_WORKER_CONCURRENCY=${HANDGEN_WORKER_CONCURRENCY:-2}
export HANDGEN_GENERATE_CONCURRENCY=${HANDGEN_GENERATE_CONCURRENCY:-2}
# Without Redis the generation worker checks the filesystem broker every 50 ms (not 200)
# when no new message wakes it: a user waits on this queue.
export HANDGEN_GENERATE_POLLING_INTERVAL=${CELERY_POLLING_INTERVAL:-0.05}
mkdir -p "$HANDGEN_VAR_DIR"
echo "HandGen is starting at http://$HANDGEN_BIND/  (admin: /admin/, API docs: /api/docs/). Ctrl-C stops the site and its workers."
exec .venv/bin/supervisord -c scripts/supervisord.conf
