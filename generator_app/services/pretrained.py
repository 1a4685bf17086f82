"""Register the generators shipped in ml/pretrained/ so a fresh site can write at once.

Each shipped generator sits in its own folder with a ``manifest.json``::

    {
      "kind": "generator",              # other kinds (evaluators...) are skipped here
      "name": "digits-cgan-strong-v1",  # unique; a new version gets a new name
      "charset": "digits",
      "architecture": "cgan-strong",
      "weights": "generator.keras",     # relative to the manifest's folder
      "sha256": "<hex digest of the weights file>",
      "metrics": {"fid": 12.3},         # optional, numbers
      "model_card": "MODEL_CARD.md",    # optional, relative; its text is stored
      "default": true                   # optional: default for its charset if none is set
    }

Reading a manifest never loads Keras: only JSON and file hashes.
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from generator_app.models import GeneratorModel

MANIFEST_NAME = "manifest.json"
REQUIRED_KEYS = ("name", "charset", "architecture", "weights", "sha256")


@dataclass
class RegistrationReport:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # manifests of other kinds
    errors: list[str] = field(default_factory=list)  # "path: reason"


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def find_manifests(directory):
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return sorted(directory.glob(f"*/{MANIFEST_NAME}"))


def _read_manifest(path):
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read it as JSON ({error})") from None
    if not isinstance(manifest, dict):
        raise ValueError("the manifest must be a JSON object")
    return manifest


def _check_generator_manifest(manifest, folder):
    missing = [key for key in REQUIRED_KEYS if not manifest.get(key)]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    weights = (folder / manifest["weights"]).resolve()
    if folder.resolve() not in weights.parents:
        raise ValueError("weights must be a file inside the manifest's folder")
    if not weights.is_file():
        raise ValueError(f"weights file {manifest['weights']} not found")
    actual = file_sha256(weights)
    if actual != manifest["sha256"].lower():
        raise ValueError(
            f"sha256 of {manifest['weights']} is {actual}, the manifest says {manifest['sha256']}"
        )
    model_card = ""
    if manifest.get("model_card"):
        card_path = folder / manifest["model_card"]
        if not card_path.is_file():
            raise ValueError(f"model card {manifest['model_card']} not found")
        model_card = card_path.read_text()
    return weights, actual, model_card


@transaction.atomic
def _register_one(*, manifest, weights, sha256, model_card):
    existing = GeneratorModel.objects.filter(name=manifest["name"]).first()
    if existing:
        if existing.weights_sha256 != sha256:
            raise ValueError(
                f"a generator named {manifest['name']!r} is registered with other weights; "
                "give a new version a new name"
            )
        return False
    generator = GeneratorModel(
        name=manifest["name"],
        charset=manifest["charset"],
        architecture=manifest["architecture"],
        weights_sha256=sha256,
        metrics_summary=manifest.get("metrics") or {},
        model_card=model_card,
        is_default=bool(manifest.get("default"))
        and not GeneratorModel.objects.filter(charset=manifest["charset"], is_default=True).exists(),
    )
    with open(weights, "rb") as handle:
        generator.weights.save(weights.name, File(handle), save=False)
    try:
        generator.full_clean()
    except ValidationError:
        generator.weights.delete(save=False)
        raise
    generator.save()
    return True


def register_pretrained_generators(*, directory):
    """Register every shipped generator not yet known; safe to run on every start.

    A generator already registered under the same name and weights is left as it is
    (an admin's choice of default is never overridden). Problems are collected per
    manifest so one bad folder does not block the others.
    """
    report = RegistrationReport()
    for path in find_manifests(directory):
        label = str(path)
        try:
            manifest = _read_manifest(path)
            if manifest.get("kind", "generator") != "generator":
                report.skipped.append(label)
                continue
            weights, sha256, model_card = _check_generator_manifest(manifest, path.parent)
            created = _register_one(manifest=manifest, weights=weights, sha256=sha256, model_card=model_card)
        except ValidationError as error:
            report.errors.append(f"{label}: {'; '.join(error.messages)}")
            continue
        except ValueError as error:
            report.errors.append(f"{label}: {error}")
            continue
        (report.created if created else report.unchanged).append(manifest["name"])
    return report
