"""PNG and SVG output: colours, transparency, determinism, well-formed XML."""

import io
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from ml.render import RenderOptions, coverage, layout_text, render_image, render_png, render_svg

SVG = "{http://www.w3.org/2000/svg}"
TEXT = "Ab, cd!\nxyz (q)"


def _png(text, glyph_list, opts) -> Image.Image:
    return Image.open(io.BytesIO(render_png(layout_text(text, glyph_list, opts)))).convert("RGB")


def _outside_glyphs(layout, pad: int = 3) -> np.ndarray:
    mask = np.ones((layout.height, layout.width), dtype=bool)
    for g in layout.glyphs:
        x0, y0, x1, y1 = g.bbox
        mask[max(int(y0) - pad, 0) : int(y1) + pad + 1, max(int(x0) - pad, 0) : int(x1) + pad + 1] = False
    return mask


def test_png_has_the_requested_size_and_white_background(glyphs):
    opts = RenderOptions(width=500, char_size=32, seed=2)
    layout = layout_text(TEXT, glyphs(TEXT), opts)
    image = Image.open(io.BytesIO(render_png(layout)))
    assert image.format == "PNG" and "transparency" not in image.info
    assert image.size == (layout.width, layout.height) and layout.width == 500
    pixels = np.asarray(image.convert("RGB"))
    assert np.array_equal(pixels, np.asarray(render_image(layout)))
    assert (pixels[_outside_glyphs(layout)] == 255).all()


def test_ink_colour_is_used_where_coverage_is_full(glyphs):
    opts = RenderOptions(width=500, char_size=32, ink="#c81e32", seed=2)
    pixels = np.asarray(_png(TEXT, glyphs(TEXT), opts)).reshape(-1, 3)
    darkest = pixels[pixels.astype(int).sum(axis=1).argmin()]
    assert tuple(darkest) == (0xC8, 0x1E, 0x32)
    # Every pixel lies on the line from white to the ink colour (ink intensity is alpha).
    t = (255 - pixels[:, 1].astype(float)) / (255 - 0x1E)
    for channel, ink in ((0, 0xC8), (2, 0x32)):
        assert np.abs(pixels[:, channel] - (255 - t * (255 - ink))).max() <= 1.5


def test_transparent_background_has_zero_alpha_outside_the_ink(glyphs):
    opts = RenderOptions(width=500, char_size=32, background="transparent", ink="#000080", seed=2)
    layout = layout_text(TEXT, glyphs(TEXT), opts)
    image = Image.open(io.BytesIO(render_png(layout)))
    assert "transparency" in image.info
    rgba = np.asarray(image.convert("RGBA"))
    assert render_image(layout).mode == "RGBA"
    alpha = rgba[..., 3]
    assert (alpha[_outside_glyphs(layout)] == 0).all()
    assert (alpha == 255).sum() > 500  # solid strokes
    assert (rgba[alpha > 0][:, :3] == (0, 0, 0x80)).all()
    assert np.array_equal(alpha, np.rint(coverage(layout) * 255).astype(np.uint8))


def test_same_inputs_and_seed_give_identical_bytes(glyphs):
    opts = RenderOptions(width=500, char_size=32, jitter=0.8, slant=8, seed=11)
    first = layout_text(TEXT, glyphs(TEXT), opts)
    second = layout_text(
        TEXT, glyphs(TEXT), RenderOptions(width=500, char_size=32, jitter=0.8, slant=8, seed=11)
    )
    assert render_png(first) == render_png(second)
    assert render_svg(first) == render_svg(second)


def test_another_seed_changes_the_image_only_when_there_is_jitter(glyphs):
    def png(seed, jitter):
        opts = RenderOptions(width=500, char_size=32, jitter=jitter, seed=seed)
        return render_png(layout_text(TEXT, glyphs(TEXT), opts))

    assert png(1, 0.5) != png(2, 0.5)
    assert png(1, 0.0) == png(2, 0.0)


def test_render_options_repaint_an_existing_layout(glyphs):
    layout = layout_text(TEXT, glyphs(TEXT), RenderOptions(width=500, char_size=32))
    red_png = render_png(layout, RenderOptions(width=500, char_size=32, ink="#ff0000"))
    red = np.asarray(Image.open(io.BytesIO(red_png)).convert("RGB"))
    assert red[..., 0].min() == 255 and red[..., 1].min() == 0


def test_svg_is_well_formed_and_matches_the_layout(glyphs):
    opts = RenderOptions(width=500, char_size=32, seed=3)
    layout = layout_text(TEXT, glyphs(TEXT), opts)
    root = ET.fromstring(render_svg(layout))
    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height")) == (str(layout.width), str(layout.height))
    assert root.find(f"{SVG}title").text == TEXT
    assert root.find(f"{SVG}rect").get("fill") == "#ffffff"
    traced = [p for p in root.iter(f"{SVG}path") if p.get("data-char")]
    (group,) = [g for g in root.iter(f"{SVG}g") if g.find(f"{SVG}path[@data-char]") is not None]
    scale = float(re.fullmatch(r"scale\((.+)\)", group.get("transform")).group(1))
    drawn = [g for g in layout.glyphs if g.bitmap is not None]
    assert [p.get("data-char") for p in traced] == [g.char for g in drawn]
    for path, g in zip(traced, drawn, strict=True):
        numbers = np.array([float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", path.get("d"))]).reshape(-1, 2)
        numbers *= scale
        x0, y0, x1, y1 = g.bbox
        assert numbers[:, 0].min() == pytest.approx(x0, abs=1.5) and numbers[:, 0].max() == pytest.approx(
            x1, abs=1.5
        )
        assert numbers[:, 1].min() == pytest.approx(y0, abs=1.5) and numbers[:, 1].max() == pytest.approx(
            y1, abs=1.5
        )
    marks = [g for g in layout.glyphs if g.strokes]
    assert len(marks) == 4  # , ! ( )
    assert len(list(root.iter(f"{SVG}circle"))) == 2  # the comma's head and the exclamation dot


def test_svg_escapes_text_and_omits_the_background_when_transparent(glyphs):
    text = 'a "b" & <c>'
    opts = RenderOptions(width=500, char_size=32, background="transparent")
    svg = render_svg(layout_text(text, glyphs(text), opts))
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == text
    assert root.find(f"{SVG}rect") is None


def test_renderer_imports_neither_tensorflow_nor_django():
    code = "import sys, ml.render; print(sorted(m for m in ('tensorflow', 'keras', 'django') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "[]"
