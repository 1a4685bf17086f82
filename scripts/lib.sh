# Shared by start.sh, test.sh and .ci/run: make .venv and keep it in step with requirements.txt.
# Sourced, not run. The stamp file holds the hash of the requirements last installed, so an
# unchanged requirements.txt costs nothing on the next start.

find_python() {
  local candidate
  for candidate in "${HANDGEN_PYTHON:-}" python3.11 python3.12 python3.13 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

ensure_venv() {
  # HANDGEN_SKIP_INSTALL=1: the packages are managed elsewhere (an image built with them, the
  # test that runs start.sh); only check that the environment is there.
  if [ "${HANDGEN_SKIP_INSTALL:-0}" = 1 ]; then
    [ -x .venv/bin/python ] || { echo "HANDGEN_SKIP_INSTALL=1 but .venv/bin/python is missing" >&2; exit 1; }
    return 0
  fi
  if [ ! -x .venv/bin/python ]; then
    local python
    python=$(find_python) || { echo "HandGen needs Python 3.11 or newer (set HANDGEN_PYTHON to its path)" >&2; exit 1; }
    echo "Creating .venv with $python ($("$python" --version 2>&1))"
    "$python" -m venv .venv
  fi
  local want stamp=.venv/.requirements.sha256
  want=$(sha256sum requirements.txt | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "Installing requirements into .venv (first time: a few minutes, TensorFlow is large)"
    .venv/bin/python -m pip install --disable-pip-version-check -q -r requirements.txt
    echo "$want" >"$stamp"
  fi
}
