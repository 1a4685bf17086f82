"""A fresh install's first start: real datasets registered, the shipped generators' runs imported."""

import json
import shutil

import pytest
from dataset_fixtures import mnist_folder
from django.conf import settings
from django.core.management import CommandError, call_command

from generator_app.admin.run_forms import NewTrainingRunForm
from generator_app.models import Dataset, EpochMetric, GeneratorModel, RunStatus, SampleGrid, TrainingRun
from generator_app.services.dataset_autoimport import import_available_datasets
from generator_app.services.shipped_runs import import_shipped_runs
from ml.data.sources import default_data_root

pytestmark = pytest.mark.django_db

SHIPPED = settings.HANDGEN_PRETRAINED_DIR
SHIPPED_GENERATORS = sorted(p.parent.name for p in SHIPPED.glob("*/card_facts.json"))


def test_available_datasets_are_imported_once_and_the_run_form_selects_one(tmp_path, media_root):
    mnist_folder(tmp_path / "data" / "mnist")
    (tmp_path / "data" / "emnist-letters-partial").mkdir()  # present but empty: reported, not imported
    report = import_available_datasets(data_root=tmp_path / "data")
    assert report.imported == ["MNIST"] and not report.errors
    assert any("letters-pool-images-idx3-ubyte.gz" in line for line in report.missing)
    dataset = Dataset.objects.get()
    assert dataset.split_counts == {"train": 30, "test": 10} and dataset.preview

    again = import_available_datasets(data_root=tmp_path / "data")
    assert again.imported == [] and again.present == ["MNIST"] and Dataset.objects.count() == 1

    Dataset.objects.create(name="fixture", kind="digits", charset="digits", storage_path="fixture")
    form = NewTrainingRunForm()
    assert form.initial["dataset"] == dataset
    labels = [label for _, label in form.fields["dataset"].choices]
    assert "MNIST (digits, 40 examples)" in labels
    assert "fixture: tiny synthetic test set, not real handwriting" in labels


def test_a_broken_dataset_folder_is_reported_and_leaves_nothing(tmp_path, media_root):
    folder = mnist_folder(tmp_path / "mnist")
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(b"not gzip")
    with pytest.raises(CommandError, match="mnist"):
        call_command("import_real_datasets", "--data-root", str(tmp_path))
    assert not Dataset.objects.exists()


def test_without_datasets_the_command_says_where_to_put_them(tmp_path, capsys):
    call_command("import_real_datasets", "--data-root", str(tmp_path))
    assert "no real dataset found" in capsys.readouterr().out


@pytest.mark.skipif(not SHIPPED_GENERATORS, reason="no shipped generator with a training record")
def test_shipped_generators_get_their_training_runs_once(tmp_path, media_root):
    mnist = Dataset.objects.create(name="MNIST", kind="digits", charset="digits", storage_path=str(tmp_path),
                                   source_format="mnist")
    call_command("register_pretrained")
    call_command("import_shipped_runs")
    assert TrainingRun.objects.count() == len(SHIPPED_GENERATORS)
    for name in SHIPPED_GENERATORS:
        facts = json.loads((SHIPPED / name / "card_facts.json").read_text())
        generator = GeneratorModel.objects.get(name=name)
        run = generator.run
        assert generator.is_pretrained and run.imported_from == f"ml/pretrained/{name}/card_facts.json"
        assert run.status == RunStatus.SUCCEEDED and run.epochs_done == run.epochs_total == len(facts["epochs"])
        assert run.hyperparameters["dataset"] == facts["run"]["config"]["dataset"]
        assert run.code_version == facts["run"]["git_commit"][:64]
        assert run.duration.total_seconds() == pytest.approx(facts["train_seconds"], abs=1)
        rows = list(EpochMetric.objects.filter(run=run).order_by("epoch"))
        assert [r.epoch for r in rows] == [e["epoch"] for e in facts["epochs"]]
        assert rows[-1].losses["g_loss"] == pytest.approx(facts["epochs"][-1]["g_loss"])
        assert rows[0].duration_seconds == pytest.approx(facts["epochs"][0]["epoch_seconds"])
        assert run.final_evaluation["per_class_accuracy"] == facts["evaluation"]["per_class_accuracy"]
        assert "imported" in run.final_evaluation["source"] and "no per-step series" in run.final_evaluation["note"]
        grid = SampleGrid.objects.get(run=run)
        assert grid.epoch == run.epochs_done and grid.image.read() == (SHIPPED / name / "samples.png").read_bytes()
        if run.hyperparameters["dataset"] == "mnist":
            assert list(run.datasets.all()) == [mnist]

    call_command("import_shipped_runs")  # every start: nothing new
    assert TrainingRun.objects.count() == len(SHIPPED_GENERATORS)
    assert EpochMetric.objects.count() == sum(
        len(json.loads((SHIPPED / n / "card_facts.json").read_text())["epochs"]) for n in SHIPPED_GENERATORS)


def test_a_generator_whose_record_is_broken_gets_no_run(tmp_path, media_root):
    name = SHIPPED_GENERATORS[0] if SHIPPED_GENERATORS else pytest.skip("nothing shipped")
    shutil.copytree(SHIPPED / name, tmp_path / name)
    facts = json.loads((tmp_path / name / "card_facts.json").read_text())
    facts["epochs"].append({"epoch": 999, "g_loss": 1.0})  # beyond the planned epochs
    (tmp_path / name / "card_facts.json").write_text(json.dumps(facts))
    call_command("register_pretrained", "--directory", str(tmp_path))
    report = import_shipped_runs(directory=tmp_path)
    assert report.imported == [] and len(report.errors) == 1 and "epochs planned" in report.errors[0]
    assert not TrainingRun.objects.exists() and GeneratorModel.objects.get(name=name).run is None
    assert not (media_root / "runs").exists() or not any((media_root / "runs").rglob("*.png"))


REAL = default_data_root()


@pytest.mark.realdata
@pytest.mark.skipif(not (REAL / "mnist").is_dir() or not (REAL / "emnist-letters-partial").is_dir(),
                    reason=f"real datasets not found at {REAL}")
def test_fresh_install_has_the_real_datasets_and_the_shipped_runs(media_root):
    call_command("import_real_datasets")
    call_command("register_pretrained")
    call_command("import_shipped_runs")
    mnist = Dataset.objects.get(source_format="mnist")
    letters = Dataset.objects.get(source_format="emnist-pool-cased")
    assert mnist.split_counts == {"train": 60_000, "test": 10_000} and mnist.preview
    assert letters.charset == "letters-cased" and letters.total_examples > 100_000
    assert set(letters.class_histogram["train"]) >= {"A", "a", "I", "i", "l"}
    assert NewTrainingRunForm().initial["dataset"] == mnist
    for run in TrainingRun.objects.all():
        expected = {"mnist": [mnist], "alnum-cased": [mnist, letters]}.get(run.hyperparameters["dataset"], [letters])
        assert sorted(run.datasets.all(), key=lambda d: d.pk) == sorted(expected, key=lambda d: d.pk)


@pytest.mark.skipif(not SHIPPED_GENERATORS, reason="no shipped generator with a training record")
def test_an_imported_run_has_its_pages_and_exports(client, django_user_model, media_root):
    call_command("register_pretrained")
    call_command("import_shipped_runs")
    client.force_login(django_user_model.objects.create_user("ada", password="a-long-test-password"))
    run = TrainingRun.objects.order_by("pk").first()
    page = client.get(f"/runs/{run.pk}/").content.decode()
    assert "imported-from" in page and run.imported_from in page and "no per-step series" in page
    assert "(shipped, imported)" in client.get("/runs/").content.decode()
    epochs = client.get(f"/runs/{run.pk}/export/epochs.csv")
    assert epochs.status_code == 200
    assert len(b"".join(epochs.streaming_content if epochs.streaming else [epochs.content]).splitlines()) == (
        1 + run.epochs_total)
    assert client.get(f"/runs/{run.pk}/export/tensorboard.zip").status_code == 200
