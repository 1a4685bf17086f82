import pytest

from ml.render import RenderOptions


def test_defaults_are_valid():
    opts = RenderOptions()
    assert (opts.width, opts.char_size, opts.line_spacing, opts.background) == (1200, 48, 1.3, "white")
    assert opts.ink_rgb == (0x1A, 0x1A, 0x6E)
    assert opts.margin_px == 24


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"width": 0}, "width"),
        ({"width": 100.5}, "width must be an integer"),
        ({"char_size": 2}, "char_size"),
        ({"char_size": True}, "char_size must be an integer"),
        ({"letter_spacing": 9}, "letter_spacing"),
        ({"word_spacing": -1}, "word_spacing"),
        ({"line_spacing": 0.1}, "line_spacing"),
        ({"slant": 80}, "slant"),
        ({"jitter": 1.5}, "jitter"),
        ({"jitter": float("nan")}, "jitter"),
        ({"jitter": "a lot"}, "jitter must be a number"),
        ({"ink": "blue"}, "ink must be a hex colour"),
        ({"ink": "#12345"}, "ink must be a hex colour"),
        ({"background": "black"}, "background must be one of white, transparent"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**64}, "seed"),
        ({"margin": -3}, "margin"),
        ({"x_height": 2.0}, "x_height"),
        ({"width": 120, "char_size": 48}, "too narrow"),
    ],
)
def test_invalid_options_raise_value_error_naming_the_field(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RenderOptions(**kwargs)


def test_short_hex_colour_expands():
    assert RenderOptions(ink="#f0a").ink_rgb == (0xFF, 0x00, 0xAA)


def test_from_dict_rejects_unknown_keys():
    assert RenderOptions.from_dict({"width": 800, "seed": 3}) == RenderOptions(width=800, seed=3)
    with pytest.raises(ValueError, match="unknown render option.*colour"):
        RenderOptions.from_dict({"colour": "#000000"})


def test_options_are_frozen():
    with pytest.raises(AttributeError):
        RenderOptions().width = 10  # type: ignore[misc]
