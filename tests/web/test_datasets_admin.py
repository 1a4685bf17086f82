"""Admin: upload a ZIP as a dataset, see its preview montage, class-balance chart and checksums."""

import pytest
from dataset_fixtures import handwriting_zip_bytes
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from generator_app.models import Dataset

pytestmark = pytest.mark.django_db
UPLOAD = reverse("admin:generator_app_dataset_upload")


def upload(client, data, filename="my-hand.zip", **fields):
    form = {"source_format": "folder", "name": "", "charset": "letters-cased", "variants": 8, **fields,
            "archive": SimpleUploadedFile(filename, data, content_type="application/zip")}
    return client.post(UPLOAD, form)


def test_upload_page_is_linked_from_the_list_and_renders(admin_client):
    listing = admin_client.get(reverse("admin:generator_app_dataset_changelist")).content.decode()
    assert UPLOAD in listing and "Upload a dataset (ZIP)" in listing
    page = admin_client.get(UPLOAD).content.decode()
    assert "one folder per character" in page and 'enctype="multipart/form-data"' in page


def test_uploading_a_zip_registers_it_and_shows_preview_and_balance(admin_client, media_root):
    response = upload(admin_client, handwriting_zip_bytes("abc", per_class=10), filename="Ada hand.zip")
    dataset = Dataset.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/dataset/{dataset.pk}/change/")
    assert dataset.name == "Ada hand" and dataset.split_counts == {"train": 27, "test": 3}

    page = admin_client.get(response["Location"]).content.decode()
    preview_url = reverse("admin:generator_app_dataset_preview", args=[dataset.pk])
    assert f'src="{preview_url}"' in page
    assert "near balanced (largest/smallest class = 1.00)" in page and "balance-chart" in page
    assert dataset.file_sha256["Ada hand.zip"] in page  # checksums listed
    assert "dataset=imported" in page  # how a training run names it

    image = admin_client.get(preview_url)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")
    listing = admin_client.get(reverse("admin:generator_app_dataset_changelist")).content.decode()
    assert "near balanced (1.00x)" in listing


def test_imbalanced_set_is_reported(admin_client, media_root):
    from io import BytesIO
    from zipfile import ZipFile

    from dataset_fixtures import picture

    buffer = BytesIO()
    with ZipFile(buffer, "w") as zf:
        for i in range(12):
            zf.writestr(f"e/{i}.png", picture(0, seed=i))
        for i in range(3):
            zf.writestr(f"x/{i}.png", picture(3, seed=i))
    response = upload(admin_client, buffer.getvalue())
    page = admin_client.get(response["Location"]).content.decode()
    assert "imbalanced: &#x27;e&#x27; has 3.7x the images of &#x27;x&#x27;" in page


@pytest.mark.parametrize("data, problem", [
    (handwriting_zip_bytes("ab", extra={"../escape.png": b"x"}), "my-hand.zip/../escape.png: unsafe name: path traversal"),
    (handwriting_zip_bytes("ab", extra={"a/broken.png": b"\x89PNG broken"}), "my-hand.zip/a/broken.png: unreadable image"),
    (b"just some text", "This is not a ZIP archive."),
])
def test_bad_uploads_are_form_errors_and_register_nothing(admin_client, media_root, data, problem):
    response = upload(admin_client, data)
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert problem in html and "handgen-upload" not in html  # named as the user knows the file
    assert not Dataset.objects.exists()
    assert not (media_root / "datasets").exists() or not any((media_root / "datasets").rglob("*.gz"))


def test_duplicate_name_is_a_field_error(admin_client, media_root):
    upload(admin_client, handwriting_zip_bytes("ab"), filename="mine.zip")
    response = upload(admin_client, handwriting_zip_bytes("ab"), filename="other.zip", name="mine")
    assert response.status_code == 200 and "A dataset named &#x27;mine&#x27; already exists." in response.content.decode()
    assert Dataset.objects.count() == 1


def test_upload_and_preview_need_staff(client, django_user_model, media_root):
    user = django_user_model.objects.create_user("writer", password="a-long-test-password")
    client.force_login(user)
    assert client.get(UPLOAD).status_code == 302  # to the admin login
    response = client.post(UPLOAD, {"archive": SimpleUploadedFile("a.zip", handwriting_zip_bytes("a"))})
    assert response.status_code == 302 and not Dataset.objects.exists()


def test_admin_delete_removes_the_stored_files(admin_client, media_root, django_capture_on_commit_callbacks):
    upload(admin_client, handwriting_zip_bytes("ab"))
    dataset = Dataset.objects.get()
    folder = media_root / "datasets" / str(dataset.pk)
    assert folder.is_dir()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:generator_app_dataset_delete", args=[dataset.pk]), {"post": "yes"})
    assert not Dataset.objects.exists() and not folder.exists()
