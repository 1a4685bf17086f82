"""Usefulness scores (CAS): who may ask, what a bad request hears, the job in a real worker, where it shows."""

import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from generator_app.models import GeneratorModel, JobStatus, RunStatus, TrainingRun, UsefulnessScore
from ml.data.sources import default_data_root

API = "/api/usefulness-scores/"
REAL = default_data_root()


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("sam", password="a-long-test-password", is_staff=True,
                                                 is_superuser=True)


@pytest.fixture
def ann(django_user_model):
    return django_user_model.objects.create_user("ann", password="a-long-test-password")


def api_for(user):
    client = APIClient()
    client.force_login(user)
    return client


def _generator(name, charset, run=None):
    from django.core.files.base import ContentFile

    generator = GeneratorModel(name=name, charset=charset, architecture="cgan-strong", run=run)
    generator.weights.save("generator.keras", ContentFile(b"weights"), save=True)
    return generator


ROWS = {
    "generated": {"train_images": 10000, "accuracy": 0.9612, "accuracy_balanced": 0.9601, "weakest_class": "8",
                  "weakest_class_accuracy": 0.91},
    "real": {"train_images": 10000, "accuracy": 0.9811, "accuracy_balanced": 0.9805, "weakest_class": "9",
             "weakest_class_accuracy": 0.96},
    "real_plus_generated": {"train_images": 20000, "accuracy": 0.9833, "accuracy_balanced": 0.9830,
                            "weakest_class": "9", "weakest_class_accuracy": 0.97},
}


@pytest.mark.django_db
def test_only_staff_may_ask_and_bad_requests_get_a_400(media_root, staff, ann):
    _generator("digits-v1", "digits")
    _generator("mine-v1", "custom")
    assert api_for(ann).post(API, {"generator": "digits-v1"}, format="json").status_code == 403
    response = api_for(staff).post(API, {"generator": "nope"}, format="json")
    assert response.status_code == 400 and "Unknown generator 'nope'" in response.json()["generator"][0]
    response = api_for(staff).post(API, {"generator": "mine-v1"}, format="json")
    assert response.status_code == 400 and "No real test set for charset 'custom'" in response.json()["generator"][0]
    response = api_for(staff).post(API, {"generator": "digits-v1", "per_class": 0}, format="json")
    assert response.status_code == 400 and "from 1 to 5000" in response.json()["per_class"][0]
    response = api_for(staff).post(API, {"generator": "digits-v1", "epochs": 10**9}, format="json")
    assert response.status_code == 400 and "from 1 to 50" in response.json()["epochs"][0]
    assert not UsefulnessScore.objects.exists()
    assert api_for(ann).get(API).status_code == 200


@pytest.mark.django_db
def test_how_and_where_the_server_scored_is_shown_to_staff_only(media_root, staff, ann):
    generator = _generator("digits-v1", "digits")
    UsefulnessScore.objects.create(
        generator=generator, status=JobStatus.SUCCEEDED, finished_at=timezone.now(), config={"seed": 0},
        result={"rows": ROWS, "real_test_images": 10000, "git_commit": "0123abc", "device": "1 x H200",
                "versions": {"keras": "3.0"}},
    )  # fmt: skip
    public = api_for(ann).get(API).json()["results"][0]["result"]
    assert public["rows"] == ROWS and public["real_test_images"] == 10000
    assert not {"git_commit", "device", "versions"} & set(public)
    assert "0123abc" not in api_for(ann).get(API).content.decode()
    seen = api_for(staff).get(API).json()["results"][0]["result"]
    assert seen["git_commit"] == "0123abc" and seen["device"] == "1 x H200"


@pytest.mark.django_db
def test_the_score_shows_on_the_run_page_and_the_admin_page(media_root, staff, ann, client):
    run = TrainingRun.objects.create(name="r", architecture="cgan-strong", epochs_total=1, epochs_done=1,
                                     status=RunStatus.SUCCEEDED, created_by=staff, hyperparameters={"epochs": 1},
                                     finished_at=timezone.now())
    generator = _generator("run-1-cgan-strong", "digits", run=run)
    client.force_login(staff)
    page = client.get(reverse("run_detail", args=[run.pk])).content.decode()
    assert "Usefulness as training data: run-1-cgan-strong" in page and "Not measured yet" in page
    UsefulnessScore.objects.create(generator=generator, status=JobStatus.SUCCEEDED, finished_at=timezone.now(),
                                   config={"seed": 0, "epochs": 5}, result={"rows": ROWS, "real_test_images": 10000})
    page = client.get(reverse("run_detail", args=[run.pk])).content.decode()
    assert "Trained on generated images only (CAS)" in page and "0.9612" in page and "0.9833" in page
    admin_page = client.get(reverse("admin:generator_app_generatormodel_change", args=[generator.pk])).content.decode()
    assert "0.9612" in admin_page and "10,000 real test images" in admin_page


@pytest.mark.django_db
def test_the_admin_action_queues_a_score(media_root, staff, client, django_capture_on_commit_callbacks, monkeypatch):
    from generator_app.services import usefulness

    sent = []
    monkeypatch.setattr(usefulness, "enqueue_usefulness_score", lambda *, score_id: sent.append(score_id))
    generator = _generator("digits-v1", "digits")
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:generator_app_generatormodel_changelist"),
                               {"action": "compute_usefulness", "_selected_action": [generator.pk]}, follow=True)
    assert "usefulness score queued" in response.content.decode()
    score = UsefulnessScore.objects.get()
    assert sent == [score.pk] and score.status == JobStatus.PENDING and score.config["per_class"] == 1000


@pytest.mark.slow
@pytest.mark.realdata
@pytest.mark.skipif(not (REAL / "mnist").is_dir(), reason=f"real datasets not found at {REAL}")
@pytest.mark.django_db(transaction=True)
def test_a_score_is_computed_by_a_real_worker(celery_worker, default_generators, staff):
    api = api_for(staff)
    response = api.post(API, {"generator": "tiny-digits", "per_class": 20, "epochs": 1, "seed": 3}, format="json")
    assert response.status_code == 202, response.content
    url = f"{API}{response.json()['id']}/"
    deadline = time.monotonic() + 600
    while (body := api.get(url).json())["status"] not in ("succeeded", "failed"):
        assert time.monotonic() < deadline, body
        time.sleep(0.5)
    assert body["status"] == "succeeded", body["error_message"]
    rows = body["result"]["rows"]
    assert rows["generated"]["train_images"] == 200 and rows["real"]["train_images"] == 200
    assert rows["real_plus_generated"]["train_images"] == 400
    assert body["result"]["real_test_images"] == 10000
    assert 0.0 <= rows["generated"]["accuracy"] <= 1.0
    # 200 real images teach the small classifier far more than 200 drawings of a 2-step generator
    assert rows["real"]["accuracy"] > rows["generated"]["accuracy"]
    assert body["result"]["config"]["seed"] == 3 and "keras" in body["result"]["versions"]
