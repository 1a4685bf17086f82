"""The downloader against a local HTTP server (127.0.0.1 only): verify, resume, refuse corrupt files."""

import hashlib
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ml.data.download import RemoteFile, download, fetch_release
from ml.data.errors import DatasetError

GOOD = bytes(range(256)) * 400  # 100 kB
CORRUPT = GOOD[:-1] + b"\x00"


class Server:
    """Serves GOOD at /good, /corrupt (a damaged copy), /flaky (cuts the first reply short), /norange."""

    def __init__(self):
        self.requests = []  # (path, Range header)
        self.flaky_cuts = 1
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                outer.requests.append((self.path, self.headers.get("Range")))
                body = {"/good": GOOD, "/flaky": GOOD, "/norange": GOOD, "/corrupt": CORRUPT,
                        "/archive.zip": outer.archive}.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                start = 0
                ranged = self.headers.get("Range")
                if ranged and self.path != "/norange":
                    start = int(ranged.split("=")[1].split("-")[0])
                    if start >= len(body):
                        self.send_error(416)
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                if self.path == "/flaky" and outer.flaky_cuts > 0:
                    outer.flaky_cuts -= 1
                    self.wfile.write(body[start:start + 30_000])  # then hang up mid-file
                    self.close_connection = True
                    return
                self.wfile.write(body[start:])

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.archive = b""
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()


@pytest.fixture
def server():
    srv = Server()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


def remote(server, path, data=GOOD, algorithm="sha256"):
    return RemoteFile("file.bin", (server.url + path,), f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}")


def test_download_is_verified_and_reused(server, tmp_path):
    path = download(remote(server, "/good"), tmp_path, progress=False)
    assert path.read_bytes() == GOOD and not (tmp_path / "file.bin.part").exists()
    download(remote(server, "/good"), tmp_path, progress=False)
    assert len(server.requests) == 1  # the verified file was not fetched again


def test_md5_checksums_work_too(server, tmp_path):
    assert download(remote(server, "/good", algorithm="md5"), tmp_path, progress=False).read_bytes() == GOOD


def test_corrupt_download_is_refused_and_not_kept(server, tmp_path):
    with pytest.raises(DatasetError, match="file.bin: wrong checksum.*was deleted"):
        download(remote(server, "/corrupt"), tmp_path, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_download_resumes_with_a_range_request(server, tmp_path):
    path = download(remote(server, "/flaky"), tmp_path, progress=False)
    assert path.read_bytes() == GOOD
    assert server.requests == [("/flaky", None), ("/flaky", "bytes=30000-")]


def test_interrupted_download_resumes_on_the_next_run(server, tmp_path):
    with pytest.raises(DatasetError, match="30,000 bytes kept in file.bin.part, run again to resume"):
        download(remote(server, "/flaky"), tmp_path, progress=False, attempts=1)
    assert (tmp_path / "file.bin.part").stat().st_size == 30_000
    assert download(remote(server, "/flaky"), tmp_path, progress=False, attempts=1).read_bytes() == GOOD
    assert server.requests[-1] == ("/flaky", "bytes=30000-")


def test_server_that_ignores_range_restarts_cleanly(server, tmp_path):
    (tmp_path / "file.bin.part").write_bytes(b"stale partial bytes")
    assert download(remote(server, "/norange"), tmp_path, progress=False).read_bytes() == GOOD


def test_missing_file_and_damaged_cache(server, tmp_path):
    with pytest.raises(DatasetError, match="HTTP 404"):
        download(remote(server, "/absent"), tmp_path, progress=False)
    (tmp_path / "file.bin").write_bytes(b"damaged cache entry")
    assert download(remote(server, "/good"), tmp_path, progress=False).read_bytes() == GOOD


def test_emnist_style_release_extracts_the_letters_files(server, tmp_path):
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for split in ("train", "test"):
            for kind, n in (("images", 3), ("labels", 1)):
                zf.writestr(f"gzip/emnist-letters-{split}-{kind}-idx{n}-ubyte.gz", f"{split}{kind}")
        zf.writestr("gzip/emnist-digits-train-labels-idx1-ubyte.gz", "not needed")
    server.archive = buffer.getvalue()
    release = {"emnist-letters": [remote(server, "/archive.zip", server.archive, "md5")]}
    folder = fetch_release("emnist-letters", tmp_path, progress=False, releases=release)
    assert (folder / "emnist-letters-test-labels-idx1-ubyte.gz").read_text() == "testlabels"
    assert not (folder / "emnist-digits-train-labels-idx1-ubyte.gz").exists()


def test_command_line_fetches_into_the_cache(server, tmp_path, monkeypatch, capsys):
    from ml.data import download as module

    monkeypatch.setattr(module, "RELEASES", {"mnist": [remote(server, "/good")], "bad": [remote(server, "/corrupt")]})
    assert module.main(["mnist", "--cache", str(tmp_path), "--quiet"]) == 0
    assert (tmp_path / "mnist" / "file.bin").read_bytes() == GOOD
    assert "mnist: verified files in" in capsys.readouterr().out
    assert module.main(["bad", "--cache", str(tmp_path), "--quiet"]) == 1
    assert "wrong checksum" in capsys.readouterr().err
