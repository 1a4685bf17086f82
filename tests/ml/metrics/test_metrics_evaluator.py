"""The Evaluator wrapper and the scoring layer on a tiny, untrained classifier saved in tmp_path."""

import json

import numpy as np
import pytest

from ml.data.charset import get_charset
from ml.data.fixture import make_fixture
from ml.metrics.realstats import RealStats


@pytest.fixture(scope="module")
def tiny_evaluator_dir(tmp_path_factory):
    import keras

    from ml.metrics.classifiers import build_small

    keras.utils.set_random_seed(0)
    folder = tmp_path_factory.mktemp("evaluator")
    model = build_small(10)
    model.save(folder / "model.keras")
    (folder / "model.json").write_text(json.dumps({"charset": get_charset("digits").to_dict(),
                                                   "params": model.count_params()}))
    return folder


def test_probabilities_and_features_of_uint8_glyphs(tiny_evaluator_dir):
    from ml.metrics.evaluator import Evaluator

    ev = Evaluator(tiny_evaluator_dir, batch_size=7)
    images = make_fixture(23, seed=1).images
    probs, feats = ev.outputs(images)
    assert probs.shape == (23, 10) and feats.shape == (23, 32)
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
    assert np.all(feats >= 0)  # after ReLU and pooling
    # batching (with its zero padding) must not change any image's result
    big = Evaluator(tiny_evaluator_dir, batch_size=500)
    np.testing.assert_allclose(big.probs(images), probs, atol=1e-5)
    np.testing.assert_allclose(ev.probs(images[5:6]), probs[5:6], atol=1e-5)
    assert ev.real_stats is None  # no real_stats.npz in this folder


def test_rejects_images_in_the_wrong_format(tiny_evaluator_dir):
    from ml.metrics.evaluator import Evaluator

    ev = Evaluator(tiny_evaluator_dir)
    with pytest.raises(ValueError, match="uint8"):
        ev.outputs(np.zeros((2, 28, 28), np.float32))
    with pytest.raises(ValueError, match="28, 28"):
        ev.outputs(np.zeros((2, 32, 32), np.uint8))


def test_loaded_once_per_path(tiny_evaluator_dir, tmp_path):
    from ml.metrics.evaluator import load_evaluator

    assert load_evaluator(tiny_evaluator_dir) is load_evaluator(str(tiny_evaluator_dir) + "/.")
    with pytest.raises(FileNotFoundError):
        load_evaluator(tmp_path)


def test_scoring_with_real_stats_and_case_merging(tiny_evaluator_dir, tmp_path):
    import shutil

    from ml.metrics.evaluator import Evaluator
    from ml.metrics.scoring import label_map, score_images

    folder = tmp_path / "ev"
    shutil.copytree(tiny_evaluator_dir, folder)
    ev = Evaluator(folder)
    real = make_fixture(200, seed=2)
    RealStats.from_features(ev.features(real.images), real.labels, 10).save(folder / "real_stats.npz")
    ev = Evaluator(folder)
    same = score_images(ev, real.images, real.labels, real.charset)
    other = make_fixture(200, seed=3)
    fresh = score_images(ev, other.images, other.labels, other.charset)  # a second sample of the same shapes
    faint = score_images(ev, (other.images * 0.3).astype(np.uint8), other.labels, other.charset)
    for key in ("cond_acc", "cond_acc_min_class", "is", "bcis", "wcis", "fid"):
        assert np.isfinite(same.metrics[key]) and np.isfinite(faint.metrics[key])
    assert same.metrics["fid"] == pytest.approx(0.0, abs=1e-9)  # the very images the stats came from
    assert faint.metrics["fid"] > 2 * fresh.metrics["fid"] > 0
    assert same.per_class.shape == (10,) and same.confusion.sum() == 200
    # capitals fold onto letters; digits cannot be read by a letters evaluator
    assert label_map(get_charset("letters-cased"), get_charset("letters")).tolist()[:3] == [0, 1, 2]
    assert label_map(get_charset("letters-cased"), get_charset("letters"))[26] == 0  # small a
    assert label_map(get_charset("digits"), get_charset("letters")) is None


def test_case_partners_cover_only_letters_whose_cases_differ():
    from ml.metrics.scoring import case_outputs, case_partners

    cased = get_charset("letters-cased")
    own, partner = case_partners(cased, cased)
    names = [c for c, o in zip(cased.classes, own, strict=True) if o >= 0]
    assert "A" in names and "a" in names and "C" not in names and "O" not in names
    assert len(names) == 30  # 15 letters x 2 cases
    a, big_a = cased.class_of("a"), cased.class_of("A")
    probs = np.zeros((2, cased.n_classes))
    probs[0, [a, big_a]] = [0.2, 0.3]  # asked for "a", prefers "A": wrong case
    probs[1, [a, big_a]] = [0.1, 0.6]  # asked for "A", prefers "A": right case
    out = case_outputs(probs, np.array([a, big_a]), own, partner)
    assert out["case_acc"] == pytest.approx(0.5)


def test_a_union_generator_s_letters_are_scored_against_real_letters_case_by_case():
    """The letters part of alnum-cased mixes the real set by cased class (the issue's re-weighting), not by the
    case-merged evaluator class, whose real images hold capitals and small letters in the pool's own share."""
    from ml.data.charset import alnum_cased
    from ml.metrics.evaluator import shipped_evaluator
    from ml.metrics.report import _part_charset
    from ml.metrics.scoring import real_stats_for

    charset = alnum_cased()
    letters = [i for i, ch in enumerate(charset.classes) if ch.isalpha()]
    part = _part_charset(charset, letters, "letters", "letters-cased")
    assert part == get_charset("letters-cased")
    stats, by_requested = real_stats_for(shipped_evaluator("letters"), part)
    assert by_requested and len(stats.counts) == part.n_classes == 41
    # classes that are no known charset's keep a name of their own (and the evaluator's own real set)
    odd = _part_charset(charset, letters[:5], "letters", "letters-cased")
    assert odd.name == "alnum-cased:letters" and odd.n_classes == 5
    assert real_stats_for(shipped_evaluator("letters"), odd)[1] is False
