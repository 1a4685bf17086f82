import numpy as np
import pytest

from ml.data.charset import Charset, get_charset, letters_cased
from ml.data.fixture import make_fixture
from ml.data.pipeline import BatchStream


def test_letters_cased_keeps_capitals_apart_where_shapes_differ():
    cs = letters_cased()
    assert cs.case_aware and cs.n_classes == 41
    assert cs.class_of("A") != cs.class_of("a")
    assert cs.class_of("o") == cs.class_of("O")
    assert cs.char_of(cs.class_of("g")) == "g"
    assert not cs.covers("!")


def test_case_merged_letters_alias_capitals():
    cs = get_charset("letters")
    assert cs.class_of("Q") == cs.class_of("q") == 16 and not cs.case_aware


def test_charset_round_trip_and_unknown_name():
    cs = get_charset("alnum")
    assert Charset.from_dict(cs.to_dict()) == cs
    with pytest.raises(ValueError, match="valid: alnum, alnum-cased, digits"):
        get_charset("greek")


def test_batches_are_seeded_in_range_and_resume_exactly():
    data = make_fixture(200)
    a = BatchStream(data, batch_size=32, seed=4)
    b = BatchStream(data, batch_size=32, seed=4)
    first = list(a.epoch(2))
    assert len(first) == 200 // 32
    x, y = first[0]
    assert x.shape == (32, 28, 28, 1) and x.dtype == np.float32 and x.min() >= -1 and x.max() <= 1
    resumed = list(b.epoch(2, start_step=3))
    assert all(np.array_equal(p[0], q[0]) for p, q in zip(first[3:], resumed, strict=True))
    assert not np.array_equal(first[0][1], next(a.epoch(3))[1])


def test_balanced_sampling_evens_out_classes():
    data = make_fixture(1000)
    keep = np.flatnonzero((data.labels != 0) | (np.arange(1000) % 10 == 0))  # class 0 is rare
    rare = data.subset(keep)
    stream = BatchStream(rare, batch_size=100, seed=0, balanced=True, steps_per_epoch=50)
    counts = np.bincount(rare.labels[stream.epoch_order(1)], minlength=10)
    assert counts.min() > 0.7 * counts.mean()


def test_batch_larger_than_dataset_is_a_clear_error():
    with pytest.raises(ValueError, match="fewer than one batch"):
        BatchStream(make_fixture(10), batch_size=32, seed=0)
