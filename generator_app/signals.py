"""Files on disk follow their rows, however the rows go.

The delete services remove a hand's folder or an export's file themselves, but rows also
go by cascade (an administrator deletes a user or a generator) without any service
running; these receivers cover that path. Removal waits for the commit, so a rolled-back
delete keeps its files, and a file already removed by a service is simply skipped.
"""

import contextlib
import shutil
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction


def _remove_file(name: str) -> None:
    default_storage.delete(name)  # the file system storage ignores a missing file
    folder = Path(settings.MEDIA_ROOT, name).parent
    with contextlib.suppress(OSError):
        folder.rmdir()  # the export's own folder, once empty


def remove_hand_folder(sender, instance, **kwargs):
    folder = Path(settings.MEDIA_ROOT) / "hands" / instance.pk.hex
    transaction.on_commit(lambda: shutil.rmtree(folder, ignore_errors=True))


def remove_sheet_photo(sender, instance, **kwargs):
    if instance.image:
        name = instance.image.name
        transaction.on_commit(lambda: default_storage.delete(name))


def remove_export_file(sender, instance, **kwargs):
    if instance.file:
        name = instance.file.name
        transaction.on_commit(lambda: _remove_file(name))
