"""The database itself refuses rows that break a structural rule (no clean() involved)."""

import pytest
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from generator_app.models import (
    Dataset,
    EpochMetric,
    GenerationRequest,
    GeneratorModel,
    RunStatus,
    SampleGrid,
    TrainingRun,
)

pytestmark = pytest.mark.django_db


def rejected(make):
    # PostgreSQL reports an out-of-range integer as a DataError, SQLite as a failed CHECK.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        make()


@pytest.fixture
def run():
    return TrainingRun.objects.create(architecture="cgan-strong", epochs_total=5)


def test_run_status_and_queue_must_be_known_values(run):
    rejected(lambda: TrainingRun.objects.filter(pk=run.pk).update(status="exploded"))
    rejected(lambda: TrainingRun.objects.filter(pk=run.pk).update(queue="tpu"))


def test_run_progress_cannot_pass_its_total(run):
    rejected(lambda: TrainingRun.objects.filter(pk=run.pk).update(epochs_done=6))
    rejected(lambda: TrainingRun.objects.filter(pk=run.pk).update(epochs_total=0))
    rejected(lambda: TrainingRun.objects.filter(pk=run.pk).update(steps_total=10, steps_done=11))
    TrainingRun.objects.filter(pk=run.pk).update(
        epochs_done=5, steps_total=0, steps_done=11
    )  # 0 = unknown total


def test_run_counters_cannot_be_negative(run):
    rejected(lambda: TrainingRun.objects.filter(pk=run.pk).update(epochs_done=-1))
    rejected(lambda: TrainingRun.objects.filter(pk=run.pk).update(attempts=-1))


def test_finished_at_is_set_exactly_for_terminal_runs(run):
    rejected(lambda: TrainingRun.objects.filter(pk=run.pk).update(status=RunStatus.SUCCEEDED))
    rejected(lambda: TrainingRun.objects.filter(pk=run.pk).update(finished_at=timezone.now()))
    rejected(lambda: TrainingRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING))  # no started_at
    TrainingRun.objects.filter(pk=run.pk).update(status=RunStatus.CANCELLED, finished_at=timezone.now())


def test_failed_run_must_say_why(run):
    now = timezone.now()
    rejected(lambda: TrainingRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, finished_at=now))
    TrainingRun.objects.filter(pk=run.pk).update(
        status=RunStatus.FAILED, finished_at=now, error_message="OOM"
    )


def test_one_metric_row_and_one_grid_per_epoch(run):
    EpochMetric.objects.create(run=run, epoch=1)
    rejected(lambda: EpochMetric.objects.create(run=run, epoch=1))
    rejected(lambda: EpochMetric.objects.create(run=run, epoch=0))
    SampleGrid.objects.create(run=run, epoch=0, image="runs/1/a.png")
    rejected(lambda: SampleGrid.objects.create(run=run, epoch=0, image="runs/1/b.png"))
    rejected(lambda: SampleGrid.objects.create(run=run, epoch=2, image=""))


def test_only_one_default_generator_per_charset():
    GeneratorModel.objects.create(
        name="d1", charset="digits", architecture="a", weights="g/1", is_default=True
    )
    GeneratorModel.objects.create(
        name="d2", charset="digits", architecture="a", weights="g/2", is_default=False
    )
    GeneratorModel.objects.create(
        name="l1", charset="letters", architecture="a", weights="g/3", is_default=True
    )
    rejected(
        lambda: GeneratorModel.objects.create(
            name="d3", charset="digits", architecture="a", weights="g/4", is_default=True
        )
    )
    rejected(
        lambda: GeneratorModel.objects.create(name="d1", charset="letters", architecture="a", weights="g/5")
    )
    assert GeneratorModel.objects.default_for("digits").name == "d1"
    assert GeneratorModel.objects.default_for("letters-cased") is None


def test_generation_request_rules(django_user_model):
    user = django_user_model.objects.create_user("u")
    ok = GenerationRequest.objects.create(user=user, text="hi", style_seed=1)

    def update(**fields):
        return lambda: GenerationRequest.objects.filter(pk=ok.pk).update(**fields)

    rejected(lambda: GenerationRequest.objects.create(user=user, text="", style_seed=1))
    rejected(lambda: GenerationRequest.objects.create(user=user, text="x" * 1001, style_seed=1))
    rejected(update(status="lost"))
    rejected(update(status="succeeded", finished_at=timezone.now()))  # no image
    rejected(update(status="failed", finished_at=timezone.now()))  # no reason
    rejected(update(status="running", finished_at=timezone.now()))
    rejected(update(style_seed=2**31))
    GenerationRequest.objects.filter(pk=ok.pk).update(
        status="succeeded", image="g/x.png", finished_at=timezone.now()
    )


def test_dataset_names_are_unique_and_kinds_known():
    Dataset.objects.create(name="mnist", kind="digits", charset="digits", storage_path="x")
    rejected(lambda: Dataset.objects.create(name="mnist", kind="digits", charset="digits", storage_path="y"))
    rejected(lambda: Dataset.objects.create(name="other", kind="sounds", charset="digits", storage_path="y"))
    rejected(lambda: Dataset.objects.create(name="empty", kind="digits", charset="digits", storage_path=""))
