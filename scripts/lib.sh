# Shared by start.sh, test.sh and .ci/run: make .venv and keep it in step with the requirements.
# Sourced, not run. start.sh installs requirements.txt (what the site runs on); test.sh and
# .ci/run install requirements-dev.txt (that plus tests, lint and JAX). A stamp file per set
# holds the hash of what was last installed, so unchanged requirements cost nothing.

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
  local file=${1:-requirements.txt}
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
  local want stamp=.venv/.${file%.txt}.sha256
  want=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "Installing $file into .venv (first time: a few minutes, TensorFlow is large)"
    .venv/bin/python -m pip install --disable-pip-version-check -q -r "$file"
    echo "$want" >"$stamp"
  fi
}

# True when NAME is set in the environment or in the project's .env (which settings read).
setting_given() {
  [ -n "${!1+x}" ] || grep -qE "^[[:space:]]*(export[[:space:]]+)?$1=" .env 2>/dev/null
}

# What start.sh serves with, unless the environment or .env says otherwise: DEBUG=0; a
# SECRET_KEY generated once and kept in var/secret_key (git-ignored, mode 600); the bind
# address among ALLOWED_HOSTS; and, for plain HTTP on this machine only (a loopback bind),
# no HTTPS redirect, secure-only cookies or HSTS, which would lock the browser out.
serve_defaults() {
  local bind=$1 host debug
  setting_given DEBUG || export DEBUG=0
  debug=${DEBUG-$(sed -nE 's/^[[:space:]]*(export[[:space:]]+)?DEBUG=["'"'"']?([^"'"'"' #]*).*/\2/p' .env 2>/dev/null | tail -n1)}
  case ${debug,,} in 1 | true | yes | on) return 0 ;; esac
  if ! setting_given SECRET_KEY; then
    if [ ! -s var/secret_key ]; then
      mkdir -p var
      (umask 077 && .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))' >var/secret_key)
    fi
    SECRET_KEY=$(cat var/secret_key)
    export SECRET_KEY
  fi
  host=${bind%:*}
  host=${host#[}
  host=${host%]}
  setting_given ALLOWED_HOSTS || export ALLOWED_HOSTS="localhost,127.0.0.1,[::1]${host:+,$host}"
  case $host in
    127.* | localhost | ::1)
      local name
      for name in SECURE_SSL_REDIRECT SESSION_COOKIE_SECURE CSRF_COOKIE_SECURE; do
        setting_given "$name" || export "$name=0"
      done
      setting_given SECURE_HSTS_SECONDS || export SECURE_HSTS_SECONDS=0
      ;;
  esac
}
