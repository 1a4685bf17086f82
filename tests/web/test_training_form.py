"""The admin's "New training run" form: every option validated by ml, nothing queued on bad input."""

import json

import pytest
from django.urls import reverse

from generator_app.models import Dataset, TrainingRun
from generator_app.services.run_config import ml_dataset_for

ADD_URL = "admin:generator_app_trainingrun_add"


@pytest.fixture
def queued_messages(sent_tasks):
    """Every train_run message the code tries to send (the broker is not touched)."""
    from generator_app import task_queue

    return sent_tasks[task_queue.TRAIN_RUN]


@pytest.fixture
def fixture_dataset(db):
    return Dataset.objects.create(name="fixture", kind="custom", charset="digits", storage_path="fixture")


def form_data(dataset, **changes):
    data = {"name": "tiny", "dataset": dataset.pk, "architecture": "cgan-strong", "queue": "gpu", "epochs": 2,
            "seed": 3, "steps_per_epoch": 2, "batch_size": 8, "log_every": 1, "g_width": 8, "d_width": 8,
            "latent_dim": 8, "eval_images": 0}  # fmt: skip
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_form_shows_every_architecture_with_its_defaults(admin_client, fixture_dataset):
    response = admin_client.get(reverse(ADD_URL))
    assert response.status_code == 200
    html = response.content.decode()
    data = json.loads(html.split('id="new-run-data" type="application/json">')[1].split("</script>")[0])
    assert set(data["defaults"]) == {"cgan-seed", "mlp-gan", "dcgan", "upsample-gan", "rnn-d", "cgan-strong"}
    assert data["defaults"]["cgan-strong"]["ema"] == 0.999 and data["defaults"]["dcgan"]["ema"] is None
    assert data["specific"]["cgan-strong"] == ["d_width", "g_width"]
    assert "projection discriminator" in data["descriptions"]["cgan-strong"]
    for field in ("steps_per_epoch", "label_smoothing", "g_learning_rate", "d_beta_1", "lr_decay_start",
                  "extra_options"):
        assert f'name="{field}"' in html


@pytest.mark.django_db(transaction=True)
def test_a_valid_form_stores_the_full_config_and_queues_once(admin_client, admin_user, fixture_dataset,
                                                              queued_messages):  # fmt: skip
    response = admin_client.post(
        reverse(ADD_URL), form_data(fixture_dataset, g_learning_rate=0.001, lr_decay_start=0.5, extra_options='{"ema": 0.99}')
    )
    run = TrainingRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/trainingrun/{run.pk}/change/")
    config = run.hyperparameters
    assert config["dataset"] == "fixture" and config["epochs"] == 2 and config["seed"] == 3
    assert config["g_optimizer"] == {"name": "adam", "learning_rate": 0.001, "beta_1": 0.5}  # default beta kept
    assert config["ema"] == 0.99 and config["aux_weight"] == 1.0  # JSON box, architecture default
    assert config["lr_decay_start"] == 0.5
    assert (run.status, run.epochs_total, run.seed, run.created_by) == ("queued", 2, 3, admin_user)
    assert list(run.datasets.all()) == [fixture_dataset]
    assert queued_messages == [{"args": [run.pk], "queue": "gpu"}]
    assert TrainingRun.objects.get().celery_task_id == "task-1"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"batch_size": 0}, "batch_size", "batch_size must be an integer from 1 to 65536"),
        ({"g_learning_rate": 5}, "g_learning_rate", "g_optimizer.learning_rate must be a number in (0, 1]"),
        ({"architecture": "dcgan"}, None, "unknown options for dcgan: d_width, g_width"),
        ({"label_smoothing": 0.7}, "label_smoothing", "label_smoothing must be in [0, 0.5)"),
        ({"extra_options": '{"loss": "wasserstein"}'}, "extra_options", "loss must be one of"),
        ({"extra_options": "[1, 2"}, "extra_options", "Not valid JSON"),
        ({"ema": "fast"}, "ema", "Enter a decay such as 0.999"),
        ({"lr_decay_start": 1.5}, "lr_decay_start", "lr_decay_start must be null or a fraction of the run in [0, 1)"),
        ({"ema": "1.5"}, "ema", "ema must be null or a decay in (0, 1)"),
        ({"extra_options": '{"lr_decay_start": 2}'}, "extra_options", "lr_decay_start must be null or a fraction"),
        ({"epochs": ""}, "epochs", "This field is required"),
    ],
)
@pytest.mark.django_db(transaction=True)
def test_invalid_input_is_a_form_error_and_nothing_is_queued(admin_client, fixture_dataset, queued_messages,
                                                             changes, field, message):  # fmt: skip
    response = admin_client.post(reverse(ADD_URL), form_data(fixture_dataset, **changes))
    assert response.status_code == 200
    form = response.context["form"]
    errors = form.errors.get(field or "__all__", [])
    assert any(message in error for error in errors), form.errors
    assert "Please correct the errors below." in response.content.decode()
    assert TrainingRun.objects.count() == 0
    assert queued_messages == []


@pytest.mark.django_db(transaction=True)
def test_a_problem_of_the_data_is_shown_at_the_dataset_field(admin_client, queued_messages):
    folder = Dataset.objects.create(name="folder", kind="custom", charset="digits", storage_path="no/such/folder")
    form = admin_client.post(reverse(ADD_URL), form_data(folder)).context["form"]
    assert form.errors == {"dataset": ["dataset 'folder' needs data_root: the path of its files"]}
    assert queued_messages == []


def test_the_option_fields_are_the_schema_s(db):
    from generator_app.admin.run_forms import NewTrainingRunForm
    from ml.train import schema

    form = NewTrainingRunForm()
    for option in schema.OPTIONS:
        if option.kind not in ("optimizer", "path") and option.name != "dataset":
            assert form.fields[option.name].help_text.startswith(option.help), option.name
    assert form.fields["loss"].choices[1:] == [(value, value) for value in schema.LOSSES]
    assert form.fields["g_learning_rate"].label == "G learning rate"
    html = str(form["batch_size"])
    assert 'min="1"' in html and 'max="65536"' in html
    assert 'max="' not in str(form["lr_decay_start"])  # an open bound: the check is the schema's, not the browser's
    assert {name for _, fields in form.fieldsets() for name in (f.name for f in fields)} == set(form.fields)


def test_clone_prefills_what_differs_from_the_defaults(admin_client, fixture_dataset, queued_messages):
    admin_client.post(reverse(ADD_URL), form_data(fixture_dataset, extra_options='{"g_optimizer": {"beta_2": 0.9}}'))
    run = TrainingRun.objects.get()
    form = admin_client.get(reverse(ADD_URL), {"clone": run.pk}).context["form"]
    assert form.initial["name"] == "tiny (clone)" and form.initial["dataset"] == fixture_dataset
    assert form.initial["g_width"] == 8 and form.initial["epochs"] == 2 and form.initial["seed"] == 3
    assert "aux_weight" not in form.initial  # an architecture default stays blank, so it follows the architecture
    assert json.loads(form.initial["extra_options"]) == {"g_optimizer": {"beta_2": 0.9}}


@pytest.mark.parametrize(
    ("name", "charset", "expected"),
    [
        ("mnist", "digits", "mnist"),
        ("MNIST digits", "digits", "mnist"),
        ("EMNIST letters pool", "letters", "emnist-pool"),
        ("letters with case", "letters-cased", "emnist-pool-cased"),
        ("emnist-letters", "letters", "emnist-letters"),
        ("fixture", "digits", "fixture"),
    ],
)
def test_dataset_rows_map_to_ml_loaders(name, charset, expected):
    dataset = Dataset(name=name, kind="digits", charset=charset, storage_path="nowhere/at/all")
    assert ml_dataset_for(dataset) == {"dataset": expected, "data_root": None}


def test_a_dataset_no_loader_reads_is_refused(tmp_path):
    from ml.train.config import ConfigError

    with pytest.raises(ConfigError, match="no trainer loader reads dataset 'my fonts'"):
        ml_dataset_for(Dataset(name="my fonts", kind="fonts", charset="alnum", storage_path=str(tmp_path)))


def test_an_existing_storage_folder_becomes_the_data_root(tmp_path):
    dataset = Dataset(name="mnist copy", kind="digits", charset="digits", storage_path=str(tmp_path))
    assert ml_dataset_for(dataset) == {"dataset": "mnist", "data_root": str(tmp_path)}
