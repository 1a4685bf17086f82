"""From what an admin chose (a Dataset row, an architecture, some options) to ml's training config.

Pure Python: ``ml.train.config``, ``ml.train.schema`` and ``ml.models.catalog`` never
import Keras, so the web process can validate a run completely before anything is queued.
"""

from pathlib import Path

from django.conf import settings

from ml.models import catalog
from ml.train import schema
from ml.train.config import RUN_DEFAULTS, ConfigError, validate_config

# ml's loader names, for Dataset rows named after no loader (the usual case).
LOADER_BY_CHARSET = {"digits": "mnist", "letters": "emnist-pool", "letters-cased": "emnist-pool-cased"}
FIXTURE = "fixture"


def ml_dataset_for(dataset):
    """``{"dataset": loader name, "data_root": folder or None}`` for a Dataset row.

    An imported row (``source_format`` set) says which loader reads it; a row named after
    one of ml's loaders ("mnist", "emnist-letters", "fixture"...) uses it; otherwise the
    charset decides. ``storage_path`` becomes the loader's folder when it
    exists on this host (relative paths are relative to the project); otherwise ml's
    default data folder is used, so a worker host may keep its data elsewhere.
    Raises ``ConfigError`` when no loader reads the dataset.
    """
    from ml.train.config import DATASETS

    if getattr(dataset, "training_loader", ""):  # registered by import_dataset or the admin upload
        from generator_app.services.datasets import training_data_config

        return training_data_config(dataset)
    if dataset.name in DATASETS:
        name = dataset.name
    elif dataset.charset in LOADER_BY_CHARSET:
        name = LOADER_BY_CHARSET[dataset.charset]
    else:
        raise ConfigError({
            "dataset": f"no trainer loader reads dataset {dataset.name!r} (charset {dataset.charset!r}); "
                       f"loaders: {', '.join(DATASETS)}"
        })  # fmt: skip
    if name == FIXTURE:
        return {"dataset": name, "data_root": None}
    root = Path(dataset.storage_path)
    if not root.is_absolute():
        root = Path(settings.BASE_DIR) / root
    return {"dataset": name, "data_root": str(root) if root.is_dir() else None}


def architecture_descriptions():
    """{name: description}, in the catalog's order of names."""
    return {name: catalog.ARCHITECTURES[name]["description"] for name in catalog.names()}


def defaults_by_architecture():
    """Every architecture's default options: what a blank form field means.

    The data (``dataset``, ``data_root``) is the chosen Dataset row's, never a default.
    """
    return {
        name: {key: value for key, value in schema.defaults_for(name).items() if key not in ("dataset", "data_root")}
        for name in catalog.names()
    }


def architecture_options(name):
    """Option names only this architecture accepts (beyond the common ones)."""
    return sorted(set(catalog.defaults_for(name)) - set(catalog.COMMON_DEFAULTS) - {"batch_size"})


def build_training_config(*, dataset, architecture, options):
    """Validated, complete config for a run; raises ``ConfigError`` naming every bad option.

    ``options`` holds only what the admin set; optimizer dicts are merged key by key into
    the architecture's defaults so that setting a learning rate keeps the default betas.
    """
    if architecture not in catalog.ARCHITECTURES:
        raise ConfigError({"architecture": f"unknown architecture {architecture!r}; "
                                           f"valid names: {', '.join(catalog.names())}"})
    defaults = catalog.defaults_for(architecture)
    config = {**ml_dataset_for(dataset), "architecture": architecture}
    for key, value in options.items():
        if key in ("g_optimizer", "d_optimizer") and isinstance(value, dict):
            base = dict(defaults[key])
            if value.get("name", base["name"]) != base["name"]:
                base = {"learning_rate": base["learning_rate"]}  # other optimizers take other knobs
            config[key] = {**base, **value}
        else:
            config[key] = value
    return validate_config(config)


def run_option_names():
    """Every top-level option a run may set, for the form and its JSON escape hatch."""
    names = set(RUN_DEFAULTS) | set(catalog.COMMON_DEFAULTS)
    for name in catalog.names():
        names |= set(catalog.defaults_for(name))
    return sorted(names - {"dataset", "data_root"})
