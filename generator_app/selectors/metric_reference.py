"""Real-data reference values of the quality metrics, the line every generator chart is read against.

``ml/metrics/REFERENCE.json`` ({charset: {metric: value}}) is written by
``python -m ml.metrics.reference``. It is read here as plain JSON rather than through
``ml.metrics.reference.load_reference``, whose module imports the evaluator stack: the
web process must not load Keras to draw a line. A missing or unreadable file means
"no reference yet", never an error page.
"""

import json
import logging
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

# The training config names a dataset; its charset picks the reference entry when the
# run has no Dataset row saying so.
CONFIG_DATASET_CHARSETS = {
    "mnist": "digits",
    "emnist-letters": "letters",
    "emnist-pool": "letters",
    "emnist-pool-cased": "letters-cased",
}

# The trainer scores each epoch on 1,000 images, where FID runs higher than on 10,000:
# per-epoch FID is read against the 1k real-data figure when there is one.
EPOCH_REFERENCE_KEYS = {"fid": "fid_1k"}

_cache = {"key": None, "data": {}}


def reference_path():
    default = Path(settings.BASE_DIR) / "ml" / "metrics" / "REFERENCE.json"
    return Path(getattr(settings, "HANDGEN_METRICS_REFERENCE", default))


def load_reference():
    """{charset: {metric: value}} or {} (file absent or not valid JSON); re-read when it changes."""
    path = reference_path()
    try:
        stat = path.stat()
    except OSError:
        return {}
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if _cache["key"] != key:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            logger.warning("ignoring unreadable %s: %s", path, error)
            data = {}
        _cache.update(key=key, data=data if isinstance(data, dict) else {})
    return _cache["data"]


def run_charset(run):
    """The charset a run draws: from its Dataset rows, else from its config's dataset name."""
    for dataset in run.datasets.all():
        if dataset.charset:
            return dataset.charset
    config = run.hyperparameters if isinstance(run.hyperparameters, dict) else {}
    return CONFIG_DATASET_CHARSETS.get(config.get("dataset"))


def _numbers(entry):
    return {
        key: float(value)
        for key, value in (entry or {}).items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    }


def reference_for_charset(charset):
    """{metric: real-data value} for ``charset`` (final-evaluation sizes); {} when unknown."""
    if not charset:
        return {}
    entry = load_reference().get(charset)
    return _numbers(entry) if isinstance(entry, dict) else {}


def epoch_reference_for_charset(charset):
    """Like ``reference_for_charset`` but with the figures matching the per-epoch sample size."""
    values = reference_for_charset(charset)
    for metric, epoch_key in EPOCH_REFERENCE_KEYS.items():
        if epoch_key in values:
            values[metric] = values[epoch_key]
    return values
