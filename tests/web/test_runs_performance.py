"""Pages stay fast with long runs: 200 epochs x 10+ metrics cost a fixed, small number of queries.

Timings are printed (``-s`` shows them) and only loosely bounded: the CPU here is shared.
``benchmarks/run_pages.py`` measures the same requests repeatedly and prints the figures.
"""

import time

import pytest
from django.urls import reverse

from tests.web.run_factories import make_long_run, make_run

pytestmark = pytest.mark.django_db

EPOCHS = 200


@pytest.fixture
def signed_in(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="a-long-test-password"))
    return client


@pytest.fixture
def long_run(media_root):
    return make_long_run(epochs=EPOCHS)


def timed(client, url, **params):
    start = time.perf_counter()
    response = client.get(url, params)
    elapsed = time.perf_counter() - start
    body = response.content if not response.streaming else b"".join(response.streaming_content)
    assert response.status_code == 200, body[:300]
    print(f"{url} {params or ''}: {elapsed * 1000:.0f} ms, {len(body) / 1024:.1f} KiB")
    return response, body, elapsed


def test_run_page_and_its_series_with_200_epochs(signed_in, long_run, django_assert_max_num_queries):
    metric_keys = set(long_run.epoch_metrics.first().losses) | set(long_run.epoch_metrics.first().metrics)
    assert len(metric_keys) >= 10
    with django_assert_max_num_queries(10):
        _, page, page_s = timed(signed_in, reverse("run_detail", args=[long_run.pk]))
    assert len(page) < 80 * 1024  # grids are a list of links, not images
    with django_assert_max_num_queries(6):
        response, body, epoch_s = timed(signed_in, f"/api/runs/{long_run.pk}/series/", scale="epoch")
    data = response.json()
    assert len(data["x"]) == EPOCHS and len(data["series"]) >= 10
    assert len(body) < 64 * 1024
    with django_assert_max_num_queries(6):
        response, body, step_s = timed(signed_in, f"/api/runs/{long_run.pk}/series/", scale="step")
    assert len(response.json()["x"]) == EPOCHS * 20
    assert len(body) < 512 * 1024
    assert max(page_s, epoch_s, step_s) < 10  # generous: a shared 2-core machine; figures printed above


def test_list_queries_do_not_grow_with_the_number_of_runs(signed_in, media_root, django_assert_max_num_queries):
    for i in range(3):
        make_run(epochs_done=2, seed=i)
    with django_assert_max_num_queries(8) as few:
        timed(signed_in, reverse("runs"))
    for i in range(20):
        make_run(epochs_done=2, seed=10 + i, grids=False)
    with django_assert_max_num_queries(len(few.captured_queries)):
        timed(signed_in, reverse("runs"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        timed(signed_in, reverse("runs"), sort="-cond_acc")


def test_compare_four_long_runs(signed_in, media_root, django_assert_max_num_queries):
    runs = [make_long_run(epochs=EPOCHS, steps_per_epoch=20, seed=i, name=f"r{i}") for i in range(4)]
    ids = ",".join(str(run.pk) for run in runs)
    with django_assert_max_num_queries(14):
        response, body, seconds = timed(signed_in, "/api/runs/compare/", ids=ids)
    data = response.json()
    assert len(data["x"]) == EPOCHS and len(data["runs"]) == 4
    assert len(body) < 512 * 1024
    assert seconds < 10
