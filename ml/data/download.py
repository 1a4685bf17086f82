"""Fetch the official MNIST and EMNIST archives into a local cache, resumably, verified before use.

``python -m ml.data.download mnist emnist-letters [--cache var/datasets]``

A download goes to ``<name>.part`` and continues with an HTTP Range request when
interrupted (automatically up to ``attempts`` times, and on the next run). Only
a file whose checksum matches the published one is renamed into place; a wrong
one is deleted, so nothing unverified is ever read. The EMNIST release is one
zip of every split; only the letters files are taken out of it.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import re
import shutil
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from tqdm import tqdm

from ml.data.errors import DatasetError
from ml.data.sources import PROJECT_ROOT

CHUNK = 1 << 16
USER_AGENT = "handgen-dataset-downloader/1"


@dataclass(frozen=True)
class RemoteFile:
    name: str
    urls: tuple[str, ...]  # mirrors, tried in order
    checksum: str  # "sha256:<hex>" or "md5:<hex>" (EMNIST publishes only an MD5)
    size: int | None = None  # published size; a server sending more is cut off


MNIST_MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/")
_MNIST = {  # name: (sha256 of the original release, size); see ../shared/datasets/README.md
    "train-images-idx3-ubyte.gz": ("440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 9_912_422),
    "train-labels-idx1-ubyte.gz": ("3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28_881),
    "t10k-images-idx3-ubyte.gz": ("8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 1_648_877),
    "t10k-labels-idx1-ubyte.gz": ("f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4_542),
}
EMNIST_ARCHIVE = RemoteFile(
    "emnist-gzip.zip",
    ("https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip",),
    "md5:58c8d27c78d21e728a6bc7b3cc06412e",  # published with the release (and used by torchvision)
)
EMNIST_LETTERS_MEMBERS = tuple(f"gzip/emnist-letters-{split}-{kind}-idx{n}-ubyte.gz"
                               for split in ("train", "test") for kind, n in (("images", 3), ("labels", 1)))
RELEASES = {
    "mnist": [RemoteFile(name, tuple(m + name for m in MNIST_MIRRORS), f"sha256:{digest}", size)
              for name, (digest, size) in _MNIST.items()],
    "emnist-letters": [EMNIST_ARCHIVE],
}


def default_cache_dir() -> Path:
    """var/datasets inside the project (git-ignored)."""
    return PROJECT_ROOT / "var" / "datasets"


def file_digest(path, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_checksum(path, checksum: str) -> None:
    algorithm, _, expected = checksum.partition(":")
    if algorithm not in ("sha256", "md5") or not re.fullmatch(r"[0-9a-f]+", expected):
        raise ValueError(f"checksum must be 'sha256:<hex>' or 'md5:<hex>', got {checksum!r}")
    actual = file_digest(path, algorithm)
    if actual != expected:
        raise DatasetError(path, f"wrong checksum: {algorithm} {actual}, expected {expected}")


class _Interrupted(Exception):
    pass


def _fetch_once(url: str, part: Path, remote: RemoteFile, *, timeout: float, progress: bool,
                on_progress=None) -> None:
    have = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": USER_AGENT}
    if have:
        headers["Range"] = f"bytes={have}-"
    try:
        response = urlopen(Request(url, headers=headers), timeout=timeout)  # noqa: S310 (fixed https URLs or a test's)
    except HTTPError as exc:
        if exc.code == 416 and have:
            return  # nothing left to send: the part is complete (the checksum decides)
        raise
    with response:
        if have and response.status == 206:
            content_range = response.headers.get("Content-Range", "")
            if not content_range.startswith(f"bytes {have}-"):
                raise _Interrupted(f"server answered the resume with range {content_range!r}")
            mode = "ab"
        else:
            have, mode = 0, "wb"  # the server ignored Range: start again
        length = response.headers.get("Content-Length")
        total = have + int(length) if length and length.isdigit() else remote.size
        limit = max(total or 0, remote.size or 0) or None
        with open(part, mode) as fh, tqdm(total=total, initial=have, unit="B", unit_scale=True,
                                         desc=remote.name, disable=not progress, leave=False) as bar:
            written = have
            while True:
                try:
                    chunk = response.read(CHUNK)
                except (http.client.IncompleteRead, OSError) as exc:
                    raise _Interrupted(f"connection lost after {written:,} bytes ({exc})") from None
                if not chunk:
                    break
                written += len(chunk)
                if limit and written > limit:
                    raise DatasetError(url, f"server sent more than the expected {limit:,} bytes")
                fh.write(chunk)
                bar.update(len(chunk))
                if on_progress is not None:
                    on_progress(written, total)
        if total and written < total:
            raise _Interrupted(f"connection closed after {written:,} of {total:,} bytes")


def download(remote: RemoteFile, dest_dir, *, attempts: int = 3, timeout: float = 60.0,
             progress: bool = True, on_progress=None) -> Path:
    """``dest_dir/remote.name``, downloaded (or resumed) and verified; reused when already verified.

    ``on_progress(bytes_so_far, total_or_None)`` is called after every chunk, for callers that
    show progress elsewhere than a terminal (the admin's download page).
    """
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / remote.name
    if dest.exists():
        try:
            verify_checksum(dest, remote.checksum)
            return dest
        except DatasetError:
            dest.unlink()  # a damaged cache entry: fetch it again
    part = dest.with_name(dest.name + ".part")
    problem = "no mirror answered"
    for url in remote.urls:
        fetched = False
        for _ in range(max(1, attempts)):
            try:
                _fetch_once(url, part, remote, timeout=timeout, progress=progress, on_progress=on_progress)
                fetched = True
                break
            except _Interrupted as exc:
                problem = str(exc)
            except DatasetError:
                part.unlink(missing_ok=True)
                raise
            except HTTPError as exc:
                problem = f"HTTP {exc.code} {exc.reason} from {url}"
                if 400 <= exc.code < 500:
                    break  # a missing file stays missing: try the next mirror
            except (URLError, OSError, http.client.HTTPException) as exc:
                problem = f"{url}: {getattr(exc, 'reason', exc)}"
        if not fetched or not part.exists():
            continue
        try:
            verify_checksum(part, remote.checksum)
        except DatasetError as exc:
            part.unlink(missing_ok=True)  # never keep (or resume) bytes that are known to be wrong
            raise DatasetError(remote.name, f"{exc.problem}; the download from {url} was deleted") from None
        part.replace(dest)
        return dest
    kept = part.stat().st_size if part.exists() else 0
    hint = f"; {kept:,} bytes kept in {part.name}, run again to resume" if kept else ""
    raise DatasetError(remote.name, f"download failed: {problem}{hint}")


def extract_members(archive: Path, members: tuple[str, ...], dest_dir: Path) -> list[Path]:
    """Copy the named members of a verified zip into ``dest_dir`` (flat), via a temporary name."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    out = []
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        for member in members:
            if member not in names:
                raise DatasetError(archive, f"archive lacks {member}")
            target = dest_dir / Path(member).name
            if not target.exists():
                tmp = target.with_name(target.name + ".part")
                with zf.open(member) as src, open(tmp, "wb") as dst:
                    shutil.copyfileobj(src, dst, CHUNK)
                tmp.replace(target)
            out.append(target)
    return out


def fetch_release(name: str, cache_dir=None, *, progress: bool = True, attempts: int = 3,
                  releases: dict | None = None, on_progress=None) -> Path:
    """Download a release into ``cache_dir/name`` and return that folder (what ml.data.sources reads).

    ``on_progress(bytes_so_far, total_or_None)`` counts the whole release: the published sizes
    when every file has one, else the current file's own length.
    """
    releases = releases or RELEASES
    if name not in releases:
        raise ValueError(f"unknown release {name!r}; valid: {', '.join(sorted(releases))}")
    folder = Path(cache_dir or default_cache_dir()) / name
    remotes = releases[name]
    grand_total = sum(r.size for r in remotes) if all(r.size for r in remotes) else None
    files, before = [], 0
    for remote in remotes:
        report = None
        if on_progress is not None:
            def report(done, total, before=before):
                on_progress(before + done, grand_total or total)
        files.append(download(remote, folder, progress=progress, attempts=attempts, on_progress=report))
        before += files[-1].stat().st_size
        if on_progress is not None:
            on_progress(before, grand_total or before)
    if name == "emnist-letters":
        extract_members(files[0], EMNIST_LETTERS_MEMBERS, folder)
    return folder


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("releases", nargs="+", choices=sorted(RELEASES))
    parser.add_argument("--cache", default=None, help=f"cache folder (default {default_cache_dir()})")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    for name in args.releases:
        try:
            folder = fetch_release(name, args.cache, progress=not args.quiet)
        except DatasetError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"{name}: verified files in {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
