"""The shape rules behind ``distinct_forms``: barred I and dotted i are told apart from a plain stroke."""

import numpy as np
import pytest

from ml.data.forms import distinct_i_forms, has_bars, has_dot
from ml.train.config import ConfigError, validate_config


def _stroke(top=5, bottom=23, x=13, width=2):
    img = np.zeros((28, 28), np.uint8)
    img[top:bottom, x:x + width] = 255
    return img


def barred_capital():
    img = _stroke()
    img[5:7, 8:20] = 255
    img[21:23, 8:20] = 255
    return img


def dotted_small():
    img = _stroke(top=10)
    img[5:8, 13:15] = 255
    return img


def test_rules_on_drawn_shapes():
    plain, capital, small = _stroke(), barred_capital(), dotted_small()
    assert has_bars(capital) and not has_bars(plain) and not has_bars(small)
    assert has_dot(small) and not has_dot(plain) and not has_dot(capital)
    top_only = _stroke()
    top_only[5:7, 8:20] = 255  # a T-like top bar alone is not a capital I
    assert not has_bars(top_only)
    assert not has_dot(np.zeros((28, 28), np.uint8)) and not has_bars(np.zeros((28, 28), np.uint8))


def test_a_slanted_plain_stroke_is_neither():
    img = np.zeros((28, 28), np.uint8)
    for y in range(4, 24):
        x = 8 + (y - 4) // 2
        img[y, x:x + 3] = 255
    bars, dots = distinct_i_forms(img[None])
    assert not bars[0] and not dots[0]


def test_each_image_gets_at_most_one_form():
    images = np.stack([barred_capital(), dotted_small(), _stroke()])
    bars, dots = distinct_i_forms(images)
    assert bars.tolist() == [True, False, False] and dots.tolist() == [False, True, False]


def test_option_is_validated():
    assert validate_config({"dataset": "emnist-pool-cased", "distinct_forms": True})["distinct_forms"] is True
    with pytest.raises(ConfigError, match="distinct_forms applies to the emnist-pool-cased"):
        validate_config({"dataset": "mnist", "distinct_forms": True})
    with pytest.raises(ConfigError, match="distinct_forms must be true or false"):
        validate_config({"dataset": "emnist-pool-cased", "distinct_forms": "yes"})


@pytest.mark.realdata
def test_pool_with_distinct_forms_changes_only_the_training_i_classes():
    from ml.data.sources import default_data_root, load_letters_pool

    if not (default_data_root() / "emnist-letters-partial").is_dir():
        pytest.skip("the EMNIST letters pool is not on this machine")
    plain, distinct = load_letters_pool(cased=True), load_letters_pool(cased=True, distinct_forms=True)
    np.testing.assert_array_equal(plain["test"].labels, distinct["test"].labels)  # references stay comparable
    cs = plain["train"].charset
    i_classes = {cs.class_of("I"), cs.class_of("i")}
    for split in (plain["train"], distinct["train"]):
        assert split.charset == cs
    others = [c for c in range(cs.n_classes) if c not in i_classes]
    assert ({c: int((plain["train"].labels == c).sum()) for c in others}
            == {c: int((distinct["train"].labels == c).sum()) for c in others})
    capital = distinct["train"].images[distinct["train"].labels == cs.class_of("I")]
    small = distinct["train"].images[distinct["train"].labels == cs.class_of("i")]
    assert len(capital) > 300 and len(small) > 150  # shape also labels images whose case was unknown
    assert all(has_bars(x) for x in capital) and all(has_dot(x) for x in small)
