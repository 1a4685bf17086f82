"""Import the training record of each shipped generator as a finished run linked to it.

The shipped generators were trained by ``python -m ml.train`` before this site existed, so
no run row holds their history; the Runs pages would be empty until someone trains for
hours. Each generator folder keeps what that training recorded: ``card_facts.json``
(per-epoch losses and metrics, device, versions, commit, and the final evaluation),
``config.json`` and the final sample sheet ``samples.png``. This service turns them into
a ``succeeded`` run marked ``imported_from``, so the pages show how each default was made.
What the trainer did not keep (per-step series, per-epoch sample grids, the training GIF)
stays absent rather than invented.
"""

import json
import math
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from generator_app.models import Dataset, EpochMetric, GeneratorModel, RunStatus, SampleGrid, TrainingRun

from .pretrained import find_manifests
from .run_metrics import json_safe, split_epoch_metrics

CARD_FACTS = "card_facts.json"
CONFIG = "config.json"
SAMPLES = "samples.png"


@dataclass
class ShippedRunsReport:
    imported: list[str] = field(default_factory=list)  # generator names given a run
    present: list[str] = field(default_factory=list)  # already linked to a run
    no_history: list[str] = field(default_factory=list)  # shipped without card_facts.json
    errors: list[str] = field(default_factory=list)  # "name: reason"


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(path)


def _read_json(path: Path) -> dict:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read {path.name} ({error})") from None
    if not isinstance(value, dict):
        raise ValueError(f"{path.name} must hold a JSON object")
    return value


def _rescoring_note(evaluation_metrics: dict, manifest_metrics: dict) -> str:
    """Say so when the generator lists other figures than its training's evaluation (a later re-scoring)."""
    changed = [
        f"{key} {evaluation_metrics[key]:.4g} → {value:.4g}"
        for key, value in sorted(manifest_metrics.items())
        if isinstance(value, int | float) and isinstance(evaluation_metrics.get(key), int | float)
        and not math.isclose(value, evaluation_metrics[key], rel_tol=1e-6, abs_tol=1e-9)
    ]
    if not changed:
        return ""
    return ("The generator's own figures come from a later re-scoring with the current evaluator: "
            + ", ".join(changed) + ".")


def history_from_card(*, folder: Path, manifest: dict) -> dict:
    """Everything the run row needs, read from the generator's folder; ValueError naming what is wrong."""
    facts = _read_json(folder / CARD_FACTS)
    info = facts.get("run")
    epochs = facts.get("epochs")
    evaluation = facts.get("evaluation")
    if not isinstance(info, dict) or not isinstance(epochs, list) or not isinstance(evaluation, dict):
        raise ValueError(f"{CARD_FACTS} lacks its 'run', 'epochs' or 'evaluation' record")
    config = _read_json(folder / CONFIG) if (folder / CONFIG).is_file() else info.get("config")
    if not isinstance(config, dict):
        raise ValueError(f"no training config ({CONFIG} or run.config in {CARD_FACTS})")
    source = _relative(folder / CARD_FACTS)
    evaluation = json_safe(evaluation)
    notes = [
        f"Imported from {source}: the record of the training that produced the shipped generator "
        f"{manifest['name']}, run with python -m ml.train before this site existed. Per-epoch losses and "
        "metrics and this final evaluation are as recorded; the trainer kept no per-step series, no "
        "per-epoch sample grids and no training GIF, so those are absent. The sample grid shown at the last "
        "epoch is the shipped sample sheet. Dates are those of the import; the duration is the recorded "
        "training time.",
        _rescoring_note(evaluation.get("metrics") or {}, manifest.get("metrics") or {}),
    ]
    evaluation["note"] = " ".join(note for note in notes if note)
    evaluation["source"] = f"imported: {source}"
    return {"info": info, "epochs": epochs, "evaluation": evaluation, "config": config, "source": source,
            "train_seconds": facts.get("train_seconds") or info.get("train_seconds")}


def _epoch_rows(run, epochs, steps_per_epoch):
    rows = []
    for record in epochs:
        epoch = record.get("epoch") if isinstance(record, dict) else None
        if not isinstance(epoch, int) or not 1 <= epoch <= run.epochs_total:
            raise ValueError(f"{CARD_FACTS}: epoch record {record!r:.80} has no valid epoch number")
        values = {key: value for key, value in record.items() if key != "epoch"}
        losses, metrics = split_epoch_metrics(values)
        seconds = values.get("epoch_seconds")
        row = EpochMetric(run=run, epoch=epoch, step=epoch * steps_per_epoch, losses=losses, metrics=metrics,
                          duration_seconds=max(0.0, float(seconds)) if isinstance(seconds, int | float) else None)
        row.full_clean(validate_unique=False, validate_constraints=False)
        rows.append(row)
    return rows


def _create_run(*, generator, folder, manifest, history, written):
    info, config = history["info"], history["config"]
    epochs_total = int(config.get("epochs") or info.get("epochs") or len(history["epochs"]))
    steps_per_epoch = int(info.get("steps_per_epoch") or 0)
    finished = timezone.now()
    seconds = history["train_seconds"]
    run = TrainingRun(
        name=f"{manifest['name']} (shipped, imported)",
        architecture=config.get("architecture") or manifest["architecture"],
        hyperparameters=config,
        seed=int(config.get("seed", info.get("seed", 0))),
        status=RunStatus.SUCCEEDED,
        epochs_total=epochs_total,
        epochs_done=max((e["epoch"] for e in history["epochs"] if isinstance(e.get("epoch"), int)), default=0),
        steps_total=epochs_total * steps_per_epoch,
        steps_done=epochs_total * steps_per_epoch,
        device=str(info.get("device", ""))[:255],
        backend=str(info.get("backend", ""))[:32],
        code_version=str(info.get("git_commit", ""))[:64],
        package_versions=info.get("versions") if isinstance(info.get("versions"), dict) else {},
        started_at=finished - timedelta(seconds=float(seconds)) if isinstance(seconds, int | float) else None,
        finished_at=finished,
        final_evaluation=history["evaluation"],
        imported_from=history["source"],
    )
    run.full_clean()
    run.save()
    EpochMetric.objects.bulk_create(_epoch_rows(run, history["epochs"], steps_per_epoch))
    samples = folder / SAMPLES
    if samples.is_file() and run.epochs_done:
        grid = SampleGrid(run=run, epoch=run.epochs_done)
        with open(samples, "rb") as handle:
            grid.image.save(f"epoch-{run.epochs_done:05d}.png", File(handle), save=False)
        written.append(grid.image)
        grid.full_clean(validate_unique=False, validate_constraints=False)
        grid.save()
    GeneratorModel.objects.filter(pk=generator.pk).update(run=run)
    return run


# A union dataset is its parts' registered datasets.
DATASET_PARTS = {"alnum-cased": ("mnist", "emnist-pool-cased"), "alnum": ("mnist", "emnist-pool")}


def _link_dataset(run, config):
    """Attach the real datasets the run trained on once they are registered (they may come later than the run)."""
    if run.datasets.exists():
        return
    name = config.get("dataset", "")
    found = [Dataset.objects.filter(source_format=part).order_by("created_at", "pk").first()
             for part in DATASET_PARTS.get(name, (name,))]
    if found and all(d is not None for d in found):
        run.datasets.add(*found)


def import_shipped_runs(*, directory) -> ShippedRunsReport:
    """Give every registered shipped generator with a card its finished run; safe on every start.

    A generator already linked to a run is left alone (only a dataset registered since is
    attached); a generator not yet registered is reported (``register_pretrained`` first).
    Each run is written in one transaction, its sample sheet removed again if that fails.
    """
    report = ShippedRunsReport()
    for path in find_manifests(directory):
        folder = path.parent
        try:
            manifest = _read_json(path)
        except ValueError as error:
            report.errors.append(f"{folder.name}: {error}")
            continue
        if manifest.get("kind", "generator") != "generator" or not manifest.get("name"):
            continue
        name = manifest["name"]
        if not (folder / CARD_FACTS).is_file():
            report.no_history.append(name)
            continue
        generator = GeneratorModel.objects.filter(name=name).select_related("run").first()
        if generator is None:
            report.errors.append(f"{name}: not registered (run manage.py register_pretrained first)")
            continue
        try:
            history = history_from_card(folder=folder, manifest=manifest)
            if generator.run_id is not None:
                _link_dataset(generator.run, history["config"])
                report.present.append(name)
                continue
            written = []
            try:
                with transaction.atomic():
                    run = _create_run(generator=generator, folder=folder, manifest=manifest, history=history,
                                      written=written)
                    _link_dataset(run, history["config"])
            except BaseException:
                for image in written:
                    image.delete(save=False)
                raise
        except ValidationError as error:
            report.errors.append(f"{name}: {'; '.join(error.messages)}")
            continue
        except (ValueError, TypeError) as error:
            report.errors.append(f"{name}: {error}")
            continue
        report.imported.append(name)
    return report
