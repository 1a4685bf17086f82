"""Files go with their rows when the rows go by cascade (a user or a generator deleted), and the
delete services, which remove the files themselves, still work."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from generator_app.models import DatasetExport, GeneratorModel, HandSheet, JobStatus
from generator_app.services.dataset_exports import delete_export
from generator_app.services.hands import create_hand, delete_hand, hand_folder

pytestmark = pytest.mark.django_db


@pytest.fixture
def generator(media_root):
    generator = GeneratorModel(name="digits-v1", charset="digits", architecture="cgan-strong")
    generator.weights.save("generator.keras", ContentFile(b"weights"), save=True)
    return generator


def _hand_with_files(owner):
    hand = create_hand(owner=owner, name="mine")
    sheet = HandSheet(hand=hand)
    sheet.image.save("sheet.jpg", ContentFile(b"photo"), save=True)
    learned = hand_folder(hand) / "digits-1234.keras"
    learned.write_bytes(b"adapted")
    return hand, Path(sheet.image.path), learned


def _export_with_file(owner, generator):
    export = DatasetExport(owner=owner, generator=generator, per_class=1, total_images=10, seed=0,
                           status=JobStatus.SUCCEEDED)
    export.file.save("digits.zip", ContentFile(b"zip"), save=True)
    return export, Path(export.file.path)


def test_deleting_a_user_removes_their_hand_folder_and_export_files(
    generator, django_user_model, django_capture_on_commit_callbacks
):
    ann = django_user_model.objects.create_user("ann")
    bob = django_user_model.objects.create_user("bob")
    hand, photo, learned = _hand_with_files(ann)
    _, export_file = _export_with_file(ann, generator)
    _, bobs_file = _export_with_file(bob, generator)
    assert photo.is_file() and learned.is_file() and export_file.is_file()

    with django_capture_on_commit_callbacks(execute=True):
        ann.delete()

    assert not hand_folder(hand).exists() and not photo.exists()
    assert not export_file.exists() and not export_file.parent.exists()
    assert bobs_file.is_file()  # only the deleted user's files go
    assert Path(settings.MEDIA_ROOT, generator.weights.name).is_file()


def test_deleting_a_generator_removes_the_exports_drawn_with_it(
    generator, django_user_model, django_capture_on_commit_callbacks
):
    _, export_file = _export_with_file(django_user_model.objects.create_user("ann"), generator)
    with django_capture_on_commit_callbacks(execute=True):
        generator.delete()
    assert not DatasetExport.objects.exists() and not export_file.exists()


def test_the_delete_services_still_remove_the_files_once(generator, django_user_model,
                                                         django_capture_on_commit_callbacks):
    ann = django_user_model.objects.create_user("ann")
    hand, photo, learned = _hand_with_files(ann)
    export, export_file = _export_with_file(ann, generator)
    folder = hand_folder(hand)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        delete_hand(hand=hand)
        delete_export(export=export)
    assert len(callbacks) >= 4  # the services' removals and the receivers' both ran, without error
    assert not folder.exists() and not photo.exists() and not export_file.exists()


def test_a_rolled_back_delete_keeps_the_files(generator, django_user_model):
    from django.db import transaction

    ann = django_user_model.objects.create_user("ann")
    hand, photo, learned = _hand_with_files(ann)
    with pytest.raises(RuntimeError), transaction.atomic():
        ann.delete()
        raise RuntimeError("changed my mind")
    assert photo.is_file() and learned.is_file()
