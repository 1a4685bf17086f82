"""Jobs whose worker died (no heartbeat) end failed with the reason instead of staying running forever."""

import os
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from generator_app.models import (
    DatasetDownload,
    DatasetExport,
    DownloadStatus,
    GeneratorModel,
    Hand,
    HandSheet,
    HandStatus,
    JobStatus,
    SheetStatus,
)
from generator_app.services.dataset_download import start_dataset_download
from generator_app.services.hands import create_hand
from generator_app.worker.stale_jobs import STOPPED_MESSAGE, fail_stale_jobs

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


@pytest.fixture
def ann(django_user_model):
    return django_user_model.objects.create_user("ann", password="a-long-test-password")


def _age(model, pk, **fields):
    """Timestamps set as if the row had been written long ago (auto_now fields included)."""
    model.objects.filter(pk=pk).update(**fields)


def test_jobs_left_running_past_their_limit_end_failed_and_fresh_ones_are_untouched(ann, media_root, settings):
    now = timezone.now()
    old_hand, fresh_hand = create_hand(owner=ann, name="old"), create_hand(owner=ann, name="fresh")
    _age(Hand, old_hand.pk, status=HandStatus.LEARNING,
         updated_at=now - timedelta(seconds=settings.HANDGEN_HAND_TIME_LIMIT + settings.HANDGEN_STALE_JOB_MARGIN + 5))
    _age(Hand, fresh_hand.pk, status=HandStatus.LEARNING, updated_at=now - timedelta(seconds=60))
    queued_hand = create_hand(owner=ann, name="queued")  # may wait for hours behind training
    _age(Hand, queued_hand.pk, status=HandStatus.QUEUED, updated_at=now - 10 * HOUR)

    generator = GeneratorModel(name="digits-v1", charset="digits", architecture="cgan-strong")
    generator.weights.save("generator.keras", ContentFile(b"weights"), save=True)
    exports = [DatasetExport.objects.create(owner=ann, generator=generator, per_class=1, total_images=10, seed=0,
                                            class_counts={str(d): 1 for d in range(10)}) for _ in range(2)]
    _age(DatasetExport, exports[0].pk, status=JobStatus.RUNNING, started_at=now - HOUR)
    _age(DatasetExport, exports[1].pk, status=JobStatus.RUNNING, started_at=now - timedelta(seconds=60))

    dead = DatasetDownload.objects.create(release="mnist", status=DownloadStatus.RUNNING)
    lost = DatasetDownload.objects.create(release="emnist-letters")
    _age(DatasetDownload, dead.pk, updated_at=now - 2 * HOUR)
    _age(DatasetDownload, lost.pk, created_at=now - 3 * HOUR)

    sheet = HandSheet.objects.create(hand=old_hand, status=SheetStatus.PROCESSING)
    sheet.image.save("sheet.jpg", ContentFile(b"photo"), save=True)
    photo = sheet.image.path
    fresh_sheet = HandSheet.objects.create(hand=fresh_hand, status=SheetStatus.PENDING)
    _age(HandSheet, sheet.pk, created_at=now - 3 * HOUR)

    assert fail_stale_jobs(now=now) == {"hands": 1, "exports": 1, "downloads": 2, "sheets": 1}

    old_hand.refresh_from_db()
    assert (old_hand.status, old_hand.error_message) == (HandStatus.FAILED, STOPPED_MESSAGE)
    assert not old_hand.busy  # the user may upload and learn again
    assert Hand.objects.get(pk=fresh_hand.pk).status == HandStatus.LEARNING
    assert Hand.objects.get(pk=queued_hand.pk).status == HandStatus.QUEUED
    exports[0].refresh_from_db()
    assert (exports[0].status, exports[0].error_message) == (JobStatus.FAILED, STOPPED_MESSAGE)
    assert exports[0].finished_at is not None
    assert DatasetExport.objects.get(pk=exports[1].pk).status == JobStatus.RUNNING
    dead.refresh_from_db()
    lost.refresh_from_db()
    assert dead.status == lost.status == DownloadStatus.FAILED
    assert "stopped before finishing" in dead.error_message and "No worker started" in lost.error_message
    sheet.refresh_from_db()
    assert (sheet.status, sheet.error_message, sheet.image.name) == (SheetStatus.FAILED, STOPPED_MESSAGE, "")
    assert not os.path.exists(photo)
    assert HandSheet.objects.get(pk=fresh_sheet.pk).status == SheetStatus.PENDING

    # a second sweep finds nothing more, and changes nothing it failed before
    assert fail_stale_jobs(now=now) == {"hands": 0, "exports": 0, "downloads": 0, "sheets": 0}
    assert Hand.objects.get(pk=old_hand.pk).error_message == STOPPED_MESSAGE


def test_a_job_that_finished_is_never_failed_by_the_sweep(ann, media_root):
    now = timezone.now()
    hand = create_hand(owner=ann, name="done")
    _age(Hand, hand.pk, status=HandStatus.READY, updated_at=now - 10 * HOUR)
    sheet = HandSheet.objects.create(hand=hand, status=SheetStatus.DONE)
    sheet.image.save("sheet.jpg", ContentFile(b"photo"), save=True)
    _age(HandSheet, sheet.pk, created_at=now - 10 * HOUR)
    done = DatasetDownload.objects.create(release="mnist", status=DownloadStatus.SUCCEEDED)
    _age(DatasetDownload, done.pk, updated_at=now - 10 * HOUR, created_at=now - 10 * HOUR)

    assert fail_stale_jobs(now=now) == {"hands": 0, "exports": 0, "downloads": 0, "sheets": 0}
    assert HandSheet.objects.get(pk=sheet.pk).image.name == sheet.image.name
    assert DatasetDownload.objects.get(pk=done.pk).status == DownloadStatus.SUCCEEDED


def test_a_dead_download_does_not_block_a_new_one(django_capture_on_commit_callbacks):
    dead = DatasetDownload.objects.create(release="mnist", status=DownloadStatus.RUNNING)
    _age(DatasetDownload, dead.pk, updated_at=timezone.now() - 2 * HOUR)
    live = DatasetDownload.objects.create(release="emnist-letters", status=DownloadStatus.RUNNING)

    with django_capture_on_commit_callbacks(execute=False):
        fresh = start_dataset_download(release="mnist")
        assert start_dataset_download(release="emnist-letters") == live  # a live one is still shared
    assert fresh.pk != dead.pk and fresh.status == DownloadStatus.QUEUED
    assert DatasetDownload.objects.get(pk=dead.pk).status == DownloadStatus.FAILED


def test_the_beat_schedule_runs_the_sweep_and_keeps_checks_that_wait(settings):
    from generator_app import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["fail-stale-jobs"]
    assert entry["task"] == tasks.fail_stale_jobs.name
    for name, item in settings.CELERY_BEAT_SCHEDULE.items():
        # a check queued behind a long export must survive until a slot frees up
        assert item["options"]["expires"] > settings.HANDGEN_EXPORT_TIME_LIMIT, name


def test_a_hand_claimed_after_a_long_wait_is_timed_from_its_claim(ann):
    from generator_app.worker.hand_learning import _claim

    hand = create_hand(owner=ann, name="waited")
    _age(Hand, hand.pk, status=HandStatus.QUEUED, updated_at=timezone.now() - 10 * HOUR)
    assert _claim(hand.pk).status == HandStatus.LEARNING
    assert fail_stale_jobs()["hands"] == 0  # waiting behind training is not running too long
    assert Hand.objects.get(pk=hand.pk).status == HandStatus.LEARNING
