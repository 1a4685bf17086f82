"""My generations shows each page cropped to its writing: the whole text, legible, owner only."""

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw

from generator_app.models import GenerationRequest, GenerationStatus
from generator_app.services.generation_files import THUMB_MARGIN

pytestmark = pytest.mark.django_db


def page_png(background, size=(800, 120), ink_box=(20, 30, 140, 70)):
    page = Image.new("RGBA", size, (255, 255, 255, 255) if background == "white" else (0, 0, 0, 0))
    ImageDraw.Draw(page).rectangle(ink_box, fill=(20, 30, 90, 255))
    buffer = io.BytesIO()
    page.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("background", ["white", "transparent"])
def test_the_thumbnail_is_the_written_part_of_the_page(client, django_user_model, media_root, background):
    ann = django_user_model.objects.create_user("ann", password="a-long-test-password")
    generation = GenerationRequest(user=ann, text="Hello, world", style_seed=1, status=GenerationStatus.SUCCEEDED,
                                   finished_at=timezone.now())
    generation.image.save("image.png", ContentFile(page_png(background)), save=False)
    generation.save()
    url = reverse("generation_thumbnail", args=[generation.pk])

    client.force_login(django_user_model.objects.create_user("bob", password="a-long-test-password"))
    assert client.get(url).status_code == 404  # only its owner sees it
    client.force_login(ann)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    thumb = Image.open(io.BytesIO(response.content))
    # The ink spans x 20..140, y 30..70 (inclusive): cropped to it plus the margin on each side.
    assert thumb.size == (121 + 2 * THUMB_MARGIN, 41 + 2 * THUMB_MARGIN)
    assert url in client.get(reverse("my_generations")).content.decode()
