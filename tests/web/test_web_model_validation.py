"""clean()/full_clean(): the rules a form or a service hits before anything is saved."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from generator_app.models import Dataset, EpochMetric, GenerationRequest, RunStatus, TrainingRun

pytestmark = pytest.mark.django_db


def errors_of(instance):
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


def test_full_clean_checks_the_stored_config_but_never_fills_or_rewrites_it():
    config = {"batch_size": 32, "option_of_an_older_trainer": 1}
    run = TrainingRun(architecture="cgan-strong", epochs_total=3, seed=5, hyperparameters=dict(config))
    run.full_clean()
    assert run.hyperparameters == config  # no defaults filled in: the service did that when it started the run


def test_a_saved_run_keeps_its_config_byte_for_byte_when_a_default_changes(monkeypatch):
    from generator_app.services.training import start_training_run
    from ml.models import catalog
    from ml.train.config import validate_config

    dataset = Dataset.objects.create(name="fixture", kind="custom", charset="digits", storage_path="fixture")
    run = start_training_run(dataset=dataset, architecture="cgan-strong", options={"epochs": 2})
    # A record from before label_smoothing existed, then a default that changed since.
    older = {key: value for key, value in run.hyperparameters.items() if key != "label_smoothing"}
    TrainingRun.objects.filter(pk=run.pk).update(hyperparameters=older)

    def stored():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT hyperparameters FROM {TrainingRun._meta.db_table} WHERE id = %s", [run.pk])
            return cursor.fetchone()[0]

    before = stored()
    monkeypatch.setitem(catalog.COMMON_DEFAULTS, "label_smoothing", 0.1)
    monkeypatch.setitem(catalog.ARCHITECTURES["cgan-strong"]["defaults"], "batch_size", 48)
    assert validate_config({"architecture": "cgan-strong"})["batch_size"] == 48  # the new defaults are in force
    run = TrainingRun.objects.get(pk=run.pk)
    run.name = "renamed"
    run.full_clean(exclude=["datasets"])
    run.save()
    assert stored() == before
    assert "label_smoothing" not in run.hyperparameters and run.hyperparameters["batch_size"] == 64


def test_the_service_refuses_bad_options_with_one_message_per_option():
    from generator_app.services.training import start_training_run

    dataset = Dataset.objects.create(name="fixture", kind="custom", charset="digits", storage_path="fixture")
    with pytest.raises(ValidationError) as caught:
        start_training_run(dataset=dataset, architecture="cgan-strong", options={"batch_size": 0, "loss": "magic"})
    assert caught.value.message_dict == {"hyperparameters": ["batch_size must be an integer from 1 to 65536",
                                                             "loss must be one of ns, saturating, hinge"]}
    with pytest.raises(ValidationError, match="no-such-net"):
        start_training_run(dataset=dataset, architecture="no-such-net", options={})
    assert not TrainingRun.objects.exists()


def test_run_columns_and_config_must_agree():
    run = TrainingRun(architecture="cgan-strong", epochs_total=3, hyperparameters={"epochs": 7})
    assert "epochs" in " ".join(errors_of(run)["hyperparameters"])


def test_hyperparameters_must_be_an_object():
    assert "JSON object" in " ".join(
        errors_of(TrainingRun(architecture="x", hyperparameters=[1]))["hyperparameters"]
    )


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
