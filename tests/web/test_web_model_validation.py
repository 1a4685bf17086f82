"""clean()/full_clean(): the rules a form or a service hits before anything is saved."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from generator_app.models import Dataset, EpochMetric, GenerationRequest, RunStatus, TrainingRun
from generator_app.models import hyperparameters as hp

pytestmark = pytest.mark.django_db


def errors_of(instance):
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


def test_hyperparameters_are_validated_and_completed_by_ml_rules():
    run = TrainingRun(architecture="cgan-strong", epochs_total=3, seed=5, hyperparameters={"batch_size": 32})
    run.full_clean()
    assert run.hyperparameters["batch_size"] == 32
    assert run.hyperparameters["epochs"] == 3 and run.hyperparameters["seed"] == 5
    assert "g_optimizer" in run.hyperparameters  # defaults of the architecture filled in


def test_bad_hyperparameters_give_a_readable_error():
    run = TrainingRun(architecture="cgan-strong", hyperparameters={"batch_size": 0, "loss": "magic"})
    message = " ".join(errors_of(run)["hyperparameters"])
    assert "batch_size" in message and "loss" in message


def test_unknown_architecture_is_reported():
    message = " ".join(errors_of(TrainingRun(architecture="no-such-net"))["hyperparameters"])
    assert "no-such-net" in message


def test_run_columns_and_config_must_agree():
    run = TrainingRun(architecture="cgan-strong", epochs_total=3, hyperparameters={"epochs": 7})
    assert "epochs" in " ".join(errors_of(run)["hyperparameters"])


def test_hyperparameters_must_be_an_object():
    assert "JSON object" in " ".join(
        errors_of(TrainingRun(architecture="x", hyperparameters=[1]))["hyperparameters"]
    )


def test_without_ml_only_the_shape_is_checked(monkeypatch):
    monkeypatch.setattr(hp, "ML_CONFIG_MODULE", "ml.train.config_that_does_not_exist")
    run = TrainingRun(architecture="anything", epochs_total=2, hyperparameters={"custom": 1})
    run.full_clean()
    assert run.hyperparameters == {"custom": 1, "architecture": "anything", "seed": 0, "epochs": 2}


def test_failed_run_needs_a_reason_and_progress_stays_in_range():
    run = TrainingRun(
        architecture="cgan-strong",
        epochs_total=2,
        epochs_done=3,
        status=RunStatus.FAILED,
        finished_at=timezone.now(),
    )
    errors = errors_of(run)
    assert {"epochs_done", "error_message"} <= set(errors)


def test_epoch_metric_rejects_non_finite_values_and_epochs_past_the_plan():
    run = TrainingRun.objects.create(architecture="cgan-strong", epochs_total=2)
    errors = errors_of(EpochMetric(run=run, epoch=3, losses={"d_loss": float("nan")}))
    assert {"epoch", "losses"} <= set(errors)
    EpochMetric(run=run, epoch=2, losses={"d_loss": None, "g_loss": 1.5}).full_clean()


def test_dataset_json_fields_have_a_checked_shape():
    dataset = Dataset(
        name="d",
        kind="digits",
        charset="Digits!",
        storage_path="x",
        file_sha256={"a.gz": "not-a-digest"},
        split_counts={"train": -1},
        class_histogram={"train": {"0": "many"}},
    )
    assert {"charset", "file_sha256", "split_counts", "class_histogram"} <= set(errors_of(dataset))


def test_generation_request_text_must_not_be_blank(django_user_model):
    user = django_user_model.objects.create_user("u")
    assert "text" in errors_of(GenerationRequest(user=user, text="   ", style_seed=1))
    assert "text" in errors_of(GenerationRequest(user=user, text="x" * 1001, style_seed=1))
