"""What start.sh serves with (scripts/lib.sh serve_defaults): production-like unless asked for
development, a secret key kept across starts, and plain HTTP on loopback that a browser can use."""

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
         "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS")


@pytest.fixture
def project(tmp_path):
    shutil.copy(ROOT / "scripts" / "lib.sh", tmp_path / "lib.sh")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").symlink_to(sys.executable)
    return tmp_path


def serve(project, bind="127.0.0.1:8000", **env):
    """The variables serve_defaults leaves set, as a dict (absent: not set)."""
    base = {key: value for key, value in os.environ.items() if key not in NAMES}
    script = ". ./lib.sh; serve_defaults " + bind + "; " + "; ".join(
        f'[ -n "${{{name}+x}}" ] && echo "{name}=${name}"' for name in NAMES) + "; true"
    out = subprocess.run(["bash", "-c", script], cwd=project, env={**base, **env}, capture_output=True, text=True,
                         check=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines())


def test_production_like_by_default_with_a_kept_secret_key(project):
    first = serve(project)
    assert first["DEBUG"] == "0"
    key_file = project / "var" / "secret_key"
    assert first["SECRET_KEY"] == key_file.read_text().strip() and len(first["SECRET_KEY"]) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert serve(project)["SECRET_KEY"] == first["SECRET_KEY"]  # sessions survive a restart
    assert "127.0.0.1" in first["ALLOWED_HOSTS"].split(",") and "localhost" in first["ALLOWED_HOSTS"]
    # Plain HTTP on this machine: no redirect to an HTTPS that is not there, cookies that work.
    assert [first[n] for n in NAMES[3:]] == ["0", "0", "0", "0"]


def test_a_public_bind_keeps_the_https_hardening(project):
    public = serve(project, bind="0.0.0.0:8000")
    assert public["DEBUG"] == "0" and "0.0.0.0" in public["ALLOWED_HOSTS"]
    assert not any(name in public for name in NAMES[3:])  # settings' production defaults apply


def test_development_and_given_values_are_left_alone(project):
    assert serve(project, DEBUG="1") == {"DEBUG": "1"}
    (project / ".env").write_text("DEBUG=1\n")
    assert serve(project) == {}  # settings read .env themselves
    (project / ".env").write_text("SECRET_KEY=from-the-env-file\nALLOWED_HOSTS=handgen.example.com\n")
    given = serve(project, SECURE_SSL_REDIRECT="1")
    assert "SECRET_KEY" not in given and "ALLOWED_HOSTS" not in given and given["SECURE_SSL_REDIRECT"] == "1"
    assert not (project / "var" / "secret_key").exists()
