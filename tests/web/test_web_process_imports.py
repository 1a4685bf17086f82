"""The web process never loads TensorFlow, JAX or Keras (they belong to workers and ml tools)."""

import json
import subprocess
import sys

from django.conf import settings

HEAVY = ("tensorflow", "jax", "keras", "torch")

SCRIPT = """
import json, sys
import handgen_site.wsgi
from django.urls import get_resolver
get_resolver().url_patterns  # import every view, the admin and the API
import generator_app.tasks, generator_app.services.pretrained
from generator_app.models import TrainingRun
TrainingRun(architecture="cgan-strong", epochs_total=1).full_clean(exclude=["datasets"])  # ml's config check
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_wsgi_app_does_not_import_ml_frameworks():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert "django" in loaded and "ml" in loaded  # the check really ran, through ml's validator
    assert not loaded & set(HEAVY), f"web process imported {sorted(loaded & set(HEAVY))}"
