"""Class counts and the limits every entry point shares."""

from __future__ import annotations

import numpy as np
import pytest

from ml.export import plan
from ml.export.draw import draw_set
from tests.ml.export.fakes import FakeGenerator


@pytest.mark.parametrize("per_class, message", [
    (0, "at least 1"), (-5, "at least 1"), (10**9, "more than the 200,000"), (2.5, "whole number"),
    (True, "whole number"),
])  # fmt: skip
def test_bad_per_class_is_refused_with_a_message(per_class, message):
    with pytest.raises(plan.ExportRequestError, match=message):
        plan.uniform_counts(10, per_class)


def test_the_total_limit_counts_every_class():
    assert plan.uniform_counts(10, 20_000).sum() == 200_000
    with pytest.raises(plan.ExportRequestError, match="20,001 images per class x 10 classes"):
        plan.uniform_counts(10, 20_001)


def test_proportions_follow_the_histogram_and_sum_exactly():
    counts = plan.proportional_counts(("a", "b", "c"), {"a": 600, "b": 300, "c": 100}, 1001)
    assert counts.sum() == 1001
    assert counts.tolist() == [601, 300, 100]


def test_proportions_fold_aliases_onto_classes():
    # a case-merged histogram (lower-case keys) drives a charset whose capitals are aliases
    classes = ("a", "b")
    counts = plan.proportional_counts(classes, {"a": 3, "A": 1, "b": 4}, 80,
                                      class_of={"a": 0, "A": 0, "b": 1}.get)
    assert counts.tolist() == [40, 40]


def test_proportions_must_cover_every_class():
    with pytest.raises(plan.ExportRequestError, match="no images of c"):
        plan.proportional_counts(("a", "b", "c"), {"a": 5, "b": 5}, 100)


def test_labels_are_shuffled_but_seeded():
    counts = plan.uniform_counts(10, 30)
    a, b = plan.labels_for(counts, 1), plan.labels_for(counts, 1)
    assert np.array_equal(a, b) and not np.array_equal(a, np.sort(a))
    assert np.bincount(a).tolist() == [30] * 10


def test_batching_does_not_change_the_images(monkeypatch):
    import ml.export.draw as draw

    labels = plan.labels_for(plan.uniform_counts(10, 9), 3)
    whole = draw_set(FakeGenerator(), labels, seed=3).images
    monkeypatch.setattr(draw, "CHUNK", 7)
    gen = FakeGenerator()
    chunked = draw_set(gen, labels, seed=3).images
    assert gen.calls == 13 and np.array_equal(whole, chunked)


def test_rejection_redraws_what_the_acceptor_refuses():
    labels = plan.labels_for(plan.uniform_counts(10, 20), 5)
    first = draw_set(FakeGenerator(), labels, seed=5).images
    # refuse the drawings of class 3 that start high on the canvas (about a quarter of them)
    def accept(images, lab):
        top = np.argmax(images.max(axis=2) > 0, axis=1)
        return (lab != 3) | (top >= 6)

    drawn = draw_set(FakeGenerator(), labels, seed=5, acceptor=accept, max_redraws=3)
    refused = ~accept(first, labels)
    assert drawn.rejected_first_draw == refused.sum() > 0
    assert np.array_equal(drawn.images[~refused], first[~refused])  # accepted glyphs are kept as drawn
    assert drawn.still_rejected == (~accept(drawn.images, labels)).sum()
    assert drawn.still_rejected < drawn.rejected_first_draw
