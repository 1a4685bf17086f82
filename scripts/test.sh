#!/usr/bin/env bash
# Command 2 of the README: the whole test suite. Arguments go to pytest
# (e.g. ./scripts/test.sh tests/web -k admin).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_venv requirements-dev.txt
exec .venv/bin/python -m pytest "$@"
