"""Fixtures for the ml.data tests: a real font, made from what Pillow ships."""

import pytest
from PIL import ImageFont


@pytest.fixture
def fixture_font(tmp_path):
    """A real TrueType font: the one Pillow bundles (Aileron Regular), written to a fonts folder."""
    try:
        font = ImageFont.load_default(24)
        data = font.font_bytes
    except (AttributeError, TypeError, OSError):
        pytest.skip("this Pillow has no bundled FreeType font")
    folder = tmp_path / "fonts"
    folder.mkdir()
    (folder / "aileron.ttf").write_bytes(data)
    return folder
