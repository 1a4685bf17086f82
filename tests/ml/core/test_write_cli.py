"""python -m ml.write: the site's text-to-page pipeline without the site (shipped digits generator)."""

import hashlib

from ml.page import write_page
from ml.render import RenderOptions
from ml.write import PRETRAINED, default_generator_paths, main

DIGITS = str(PRETRAINED / "digits-cgan-strong-v2" / "generator.keras")


def test_writes_the_same_png_for_the_same_text_seed_and_options(tmp_path, capsys):
    args = ["2026 13\n1999", "--generator", DIGITS, "--seed", "7", "--pen-width", "0.09", "--no-uniform"]
    assert main([*args, "--out", str(tmp_path / "a.png")]) == 0
    assert main([*args, "--out", str(tmp_path / "b.png")]) == 0
    a, b = (tmp_path / "a.png").read_bytes(), (tmp_path / "b.png").read_bytes()
    assert a[:8] == b"\x89PNG\r\n\x1a\n" and hashlib.sha256(a).digest() == hashlib.sha256(b).digest()
    assert main([*args[:3], "--seed", "8", "--out", str(tmp_path / "c.png")]) == 0
    assert (tmp_path / "c.png").read_bytes() != a  # another seed, another hand
    assert main([*args, "--out", str(tmp_path / "a.svg")]) == 0
    assert (tmp_path / "a.svg").read_text().startswith("<?xml")
    assert "10 glyphs drawn" in capsys.readouterr().out


def test_refuses_text_its_generators_cannot_write_and_bad_options(tmp_path, capsys):
    assert main(["hello", "--generator", DIGITS, "--out", str(tmp_path / "x.png")]) == 2
    assert "no generator draws 'h'" in capsys.readouterr().err
    assert main(["12", "--generator", DIGITS, "--slant", "80", "--out", str(tmp_path / "x.png")]) == 2
    assert "slant must be between -45.0 and 45.0" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_the_page_api_matches_the_cli_and_the_shipped_defaults_are_found():
    from ml.generator import Generator

    assert {p.parent.name for p in default_generator_paths()} >= {"digits-cgan-strong-v2"}
    gen = {"digits": Generator(DIGITS)}
    page = write_page("11 11", gen, seed=3, options=RenderOptions(width=400))
    glyphs = [g for g in page.sheet.glyphs if g is not None]
    assert len(glyphs) == 4 and len({g.tobytes() for g in glyphs}) == 4  # no stamps
    assert page.layout.options.seed == 3 and page.png() == write_page("11 11", gen, seed=3,
                                                                       options={"width": 400}).png()
