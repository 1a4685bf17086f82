"""The admin's dataset download: offered while no real dataset exists, fetched, verified and imported
(from a local HTTP server: tests never reach the internet), with its progress and failures on the row."""

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from dataset_fixtures import mnist_folder

from generator_app.models import Dataset, DatasetDownload, DownloadStatus
from generator_app.services.dataset_download import start_dataset_download
from generator_app.worker.dataset_download import run_dataset_download
from ml.data.download import RemoteFile

pytestmark = pytest.mark.django_db


@pytest.fixture
def release_server(tmp_path):
    """Serves a tiny MNIST release; returns {"mnist": [RemoteFile...]} pointing at it."""
    files = {p.name: p.read_bytes() for p in mnist_folder(tmp_path / "published").iterdir()}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = files.get(self.path.lstrip("/"))
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    yield {"mnist": [RemoteFile(name, (url + name,), f"sha256:{hashlib.sha256(data).hexdigest()}", len(data))
                     for name, data in sorted(files.items())]}
    server.shutdown()
    server.server_close()


@pytest.fixture
def download_dir(settings, tmp_path):
    settings.HANDGEN_DOWNLOAD_DIR = tmp_path / "downloads"
    return settings.HANDGEN_DOWNLOAD_DIR


def test_a_download_is_fetched_verified_and_imported_once(release_server, download_dir, media_root):
    download = start_dataset_download(release="mnist")
    assert start_dataset_download(release="mnist") == download  # one at a time per release
    assert run_dataset_download(download_id=download.pk, releases=release_server) == "succeeded"
    download.refresh_from_db()
    total = sum(r.size for r in release_server["mnist"])
    assert download.status == DownloadStatus.SUCCEEDED and download.bytes_done == download.bytes_total == total
    dataset = Dataset.objects.get()
    assert download.dataset == dataset and dataset.source_format == "mnist"
    assert dataset.split_counts == {"train": 30, "test": 10} and (download_dir / "mnist").is_dir()
    # A second delivery of the same task does nothing.
    assert run_dataset_download(download_id=download.pk, releases=release_server) == "not queued"
    # Downloading again reuses the verified files and the registered dataset.
    again = start_dataset_download(release="mnist")
    assert again != download and run_dataset_download(download_id=again.pk, releases=release_server) == "succeeded"
    assert Dataset.objects.count() == 1


def test_a_corrupt_download_fails_with_the_reason_and_registers_nothing(release_server, download_dir, media_root):
    good = release_server["mnist"][0]
    release_server["mnist"][0] = RemoteFile(good.name, good.urls, "sha256:" + "0" * 64, good.size)
    download = start_dataset_download(release="mnist")
    assert run_dataset_download(download_id=download.pk, releases=release_server) == "failed"
    download.refresh_from_db()
    assert download.status == DownloadStatus.FAILED and "wrong checksum" in download.error_message
    assert not Dataset.objects.exists()


def test_the_admin_offers_a_download_only_while_no_real_dataset_exists(admin_client, download_dir, media_root):
    page = admin_client.get("/admin/generator_app/dataset/").content.decode()
    assert "No real dataset yet" in page and 'value="mnist"' in page

    response = admin_client.post("/admin/generator_app/dataset/download/", {"release": "mnist"})
    assert response.status_code == 302
    download = DatasetDownload.objects.get()
    assert download.release == "mnist" and download.status in (DownloadStatus.QUEUED, DownloadStatus.FAILED)
    progress = admin_client.get(f"/admin/generator_app/dataset/download/{download.pk}/progress/").json()
    assert progress["status"] == download.status and progress["bytes_done"] == 0

    response = admin_client.post("/admin/generator_app/dataset/download/", {"release": "nonsense"}, follow=True)
    assert "Unknown release" in response.content.decode() and DatasetDownload.objects.count() == 1

    Dataset.objects.create(name="MNIST", kind="digits", charset="digits", storage_path="x", source_format="mnist")
    assert "No real dataset yet" not in admin_client.get("/admin/generator_app/dataset/").content.decode()


@pytest.mark.parametrize("error, words", [
    (RuntimeError("disk gremlins"), "The download failed (RuntimeError: disk gremlins)"),
    (SoftTimeLimitExceeded(), "took longer than"),
])
def test_any_error_in_the_worker_ends_the_download_failed_with_the_reason(monkeypatch, download_dir, error, words):
    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr("ml.data.download.fetch_release", broken)
    download = DatasetDownload.objects.create(release="mnist")
    assert run_dataset_download(download_id=download.pk) == "failed"
    download.refresh_from_db()
    assert download.status == DownloadStatus.FAILED and words in download.error_message
    assert download.finished_at is not None
    assert start_dataset_download(release="mnist") != download  # the release can be fetched again
