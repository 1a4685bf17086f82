"""The metric functions on constructed inputs whose answers are known in closed form."""

import numpy as np
import pytest

from ml.metrics import core

K = 10


def one_hot(labels, k=K):
    return np.eye(k)[np.asarray(labels)]


def perfect(n_per=50, k=K):
    labels = np.repeat(np.arange(k), n_per)
    return one_hot(labels, k), labels


def test_perfect_generator_hits_every_limit():
    probs, labels = perfect()
    assert core.conditioning_accuracy(probs, labels) == pytest.approx(1.0)
    assert np.all(core.per_class_accuracy(probs, labels, K) == 1.0)
    assert core.bcis(probs, labels) == pytest.approx(K, rel=1e-9)
    assert core.wcis(probs, labels) == pytest.approx(1.0, abs=1e-9)
    assert core.inception_score(probs, splits=1)[0] == pytest.approx(K, rel=1e-9)
    assert core.bcis_ceiling(labels) == pytest.approx(K)
    np.testing.assert_array_equal(core.confusion_matrix(probs, labels, K), 50 * np.eye(K, dtype=int))


def test_mode_collapse_to_one_class():
    labels = np.repeat(np.arange(K), 40)  # every class requested equally often ...
    probs = one_hot(np.full(len(labels), 3))  # ... but every image reads as a 3
    assert core.conditioning_accuracy(probs, labels) == pytest.approx(1 / K)
    acc = core.per_class_accuracy(probs, labels, K)
    assert acc[3] == 1.0 and np.all(np.delete(acc, 3) == 0.0)
    assert core.bcis(probs, labels) == pytest.approx(1.0)
    assert core.wcis(probs, labels) == pytest.approx(1.0)
    assert core.inception_score(probs, splits=5)[0] == pytest.approx(1.0)
    assert core.confusion_matrix(probs, labels, K)[:, 3].sum() == len(labels)


def test_uniformly_random_probabilities_score_at_chance():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(K), 2000)
    probs = rng.dirichlet(np.ones(K), size=len(labels))  # random, unrelated to the labels
    assert core.conditioning_accuracy(probs, labels) == pytest.approx(1 / K, abs=0.01)
    assert core.bcis(probs, labels) == pytest.approx(1.0, abs=0.01)  # classes indistinguishable
    flat = np.full((len(labels), K), 1 / K)  # maximally unsure evaluator
    assert core.inception_score(flat)[0] == pytest.approx(1.0)
    assert core.wcis(flat, labels) == pytest.approx(1.0)


def test_is_equals_bcis_times_wcis():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, K, 3000)
    logits = rng.normal(size=(3000, K)) + 3 * one_hot(labels)  # informative but noisy
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    whole = core.inception_score(probs, splits=1)[0]
    assert whole == pytest.approx(core.bcis(probs, labels) * core.wcis(probs, labels), rel=1e-9)
    w = rng.uniform(0.1, 2.0, size=3000)  # the identity holds for weighted sets too
    assert core.inception_score(probs, splits=1, weights=w)[0] == pytest.approx(
        core.bcis(probs, labels, w) * core.wcis(probs, labels, w), rel=1e-9)
    assert core.wcis(probs, labels) > 1.0 and 1.0 < core.bcis(probs, labels) < K


def test_balanced_weights_make_every_class_count_the_same():
    # class 0 is requested 9x as often and always read right; class 1 always wrong
    labels = np.array([0] * 90 + [1] * 10)
    probs = one_hot(np.zeros(100, int), 2)
    assert core.conditioning_accuracy(probs, labels) == pytest.approx(0.9)
    w = core.balanced_weights(labels)
    assert core.conditioning_accuracy(probs, labels, w) == pytest.approx(0.5)
    assert core.bcis_ceiling(labels, w) == pytest.approx(2.0)
    assert core.bcis_ceiling(labels) < 2.0


def test_pair_choice_accuracy_only_compares_the_two_classes():
    probs = np.array([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7], [0.6, 0.1, 0.3]])
    # image 1 reads as class 2 overall, but prefers its own class 1 over partner 0
    assert core.pair_choice_accuracy(probs, own=[0, 1, 1], partner=[1, 0, 0]) == pytest.approx(2 / 3)


def test_split_averaged_is_is_close_to_the_whole_set_value():
    rng = np.random.default_rng(2)
    labels = rng.integers(0, K, 10_000)
    probs = 0.9 * one_hot(labels) + 0.1 * rng.dirichlet(np.ones(K), size=10_000)
    mean, std = core.inception_score(probs, splits=10)
    assert mean == pytest.approx(core.inception_score(probs, splits=1)[0], rel=0.02)
    assert 0 < std < 0.2


def test_fid_is_zero_for_identical_sets_and_grows_with_the_shift():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(4000, 16))
    assert core.frechet_distance_features(a, a) == pytest.approx(0.0, abs=1e-6)
    distances = [core.frechet_distance_features(a, a + shift) for shift in (0.1, 0.5, 1.0)]
    # a pure mean shift by s in each of 16 dims gives exactly 16 s^2
    assert distances == pytest.approx([16 * 0.01, 16 * 0.25, 16 * 1.0], rel=1e-6)
    b = rng.normal(size=(4000, 16))  # a second sample of the same Gaussian: small but positive
    assert 0 < core.frechet_distance_features(a, b) < distances[0]


def test_fid_of_known_gaussians_matches_the_closed_form():
    # diagonal covariances: d^2 = |dmu|^2 + sum (sqrt(s1) - sqrt(s2))^2
    s1, s2 = np.array([1.0, 4.0, 9.0]), np.array([4.0, 4.0, 1.0])
    mu1, mu2 = np.zeros(3), np.array([1.0, 0.0, 2.0])
    expected = 5.0 + (1 - 2) ** 2 + 0 + (3 - 1) ** 2
    assert core.frechet_distance(mu1, np.diag(s1), mu2, np.diag(s2)) == pytest.approx(expected)
    rot = np.linalg.qr(np.random.default_rng(4).normal(size=(3, 3)))[0]  # invariant to a common rotation
    assert core.frechet_distance(rot @ mu1, rot @ np.diag(s1) @ rot.T, rot @ mu2,
                                 rot @ np.diag(s2) @ rot.T) == pytest.approx(expected)


def test_fid_is_stable_on_singular_covariances():
    rng = np.random.default_rng(5)
    low_rank = rng.normal(size=(500, 3)) @ rng.normal(size=(3, 20))  # rank 3 in 20 dims
    d = core.frechet_distance_features(low_rank, low_rank.copy())
    assert np.isfinite(d) and d == pytest.approx(0.0, abs=1e-6)


def test_mixture_stats_reproduce_pooled_statistics():
    rng = np.random.default_rng(6)
    labels = rng.integers(0, 4, 2000)
    f = rng.normal(size=(2000, 5)) + labels[:, None]
    counts = np.bincount(labels)
    means = np.stack([f[labels == c].mean(0) for c in range(4)])
    second = np.stack([f[labels == c].T @ f[labels == c] / counts[c] for c in range(4)])
    mu, sigma = core.mixture_stats(counts, means, second, counts)  # weights = observed mix
    ref_mu, ref_sigma = core.feature_stats(f)
    np.testing.assert_allclose(mu, ref_mu, atol=1e-10)
    np.testing.assert_allclose(sigma, ref_sigma, atol=1e-10)
    mu_b, sigma_b = core.mixture_stats(counts, means, second, np.ones(4))  # equal classes
    w_mu, w_sigma = core.feature_stats(f, core.balanced_weights(labels))
    np.testing.assert_allclose(mu_b, w_mu, atol=1e-10)
    np.testing.assert_allclose(sigma_b, w_sigma, atol=1e-10)


def test_bad_inputs_are_clear_errors():
    with pytest.raises(ValueError, match="probs"):
        core.conditioning_accuracy(np.zeros(5), np.zeros(5, int))
    with pytest.raises(ValueError, match="weights"):
        core.conditioning_accuracy(np.eye(3), [0, 1, 2], weights=[1, -1, 1])
    with pytest.raises(ValueError, match="shapes"):
        core.frechet_distance(np.zeros(2), np.eye(2), np.zeros(3), np.eye(3))
