"""Generation-quality metrics as pure numpy functions of classifier outputs.

Every function takes what an evaluator classifier said about a set of images
(class probabilities ``probs`` (N, K) or penultimate ``features`` (N, D)) plus
the labels that were *requested* for them, so each can be tested on constructed
inputs with a known answer and none needs Keras.

``weights`` (optional, (N,), non-negative) turn every average over images into
a weighted one. HandGen scores with class-balanced weights (``balanced_weights``)
so that a real test set whose letters follow English frequency and a generator
that draws every class equally often are judged on the same footing; with
evenly spread labels the weights are all equal and change nothing.
"""

from __future__ import annotations

import numpy as np

EPS = 1e-12


def _weights(n: int, weights) -> np.ndarray:
    if weights is None:
        return np.full(n, 1.0 / max(n, 1))
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (n,) or (w < 0).any() or w.sum() <= 0:
        raise ValueError("weights must be (N,) non-negative with a positive sum")
    return w / w.sum()


def _check_probs(probs) -> np.ndarray:
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 2 or len(p) == 0:
        raise ValueError(f"probs must be a non-empty (N, K) array, got shape {p.shape}")
    return p


def balanced_weights(labels, n_classes: int | None = None) -> np.ndarray:
    """w_i = 1 / (C * n_{y_i}), C = number of classes present: every requested class weighs the same."""
    labels = np.asarray(labels)
    counts = np.bincount(labels, minlength=n_classes or 0)
    present = int((counts > 0).sum())
    return 1.0 / (present * counts[labels])


def conditioning_accuracy(probs, labels, weights=None) -> float:
    """acc = sum_i w_i [argmax_k p(k|x_i) = y_i]: how often the evaluator reads the requested class.

    The standard conditional-GAN label-fidelity measure (e.g. the "classification
    accuracy" of Odena et al., 2017, "Conditional Image Synthesis with Auxiliary
    Classifier GANs", ICML). With ``balanced_weights`` it is the mean per-class accuracy.
    """
    p = _check_probs(probs)
    labels = np.asarray(labels)
    return float(np.sum(_weights(len(p), weights) * (p.argmax(1) == labels)))


def per_class_accuracy(probs, labels, n_classes: int) -> np.ndarray:
    """acc_c = |{i : y_i = c, argmax p(.|x_i) = c}| / |{i : y_i = c}|; NaN for classes never requested."""
    p = _check_probs(probs)
    labels = np.asarray(labels)
    hits = np.bincount(labels, weights=(p.argmax(1) == labels).astype(np.float64), minlength=n_classes)
    counts = np.bincount(labels, minlength=n_classes).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, hits / np.maximum(counts, 1), np.nan)


def confusion_matrix(probs, labels, n_classes: int) -> np.ndarray:
    """M[r, c] = number of images requested as class r that the evaluator read as class c."""
    p = _check_probs(probs)
    pred = p.argmax(1)
    m = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(m, (np.asarray(labels), pred), 1)
    return m


def pair_choice_accuracy(probs, own, partner, weights=None) -> float:
    """acc = sum_i w_i [p(own_i | x_i) > p(partner_i | x_i)]: of two given classes, is the requested one preferred?

    HandGen's case accuracy: with own = the requested case of a letter (say "a") and
    partner = its other case ("A"), it asks only which case the image reads as, not
    whether the letter itself is right (conditioning accuracy judges that).
    """
    p = _check_probs(probs)
    rows = np.arange(len(p))
    own, partner = np.asarray(own), np.asarray(partner)
    return float(np.sum(_weights(len(p), weights) * (p[rows, own] > p[rows, partner])))


def _kl_rows(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """KL(p_i || q_i) for each row, with 0 log 0 = 0."""
    p = np.clip(p, 0.0, 1.0)
    return np.sum(p * (np.log(p + EPS) - np.log(q + EPS)), axis=-1)


def inception_score(probs, splits: int = 10, weights=None, seed: int = 0) -> tuple[float, float]:
    """IS = exp( E_x KL(p(y|x) || p(y)) ), p(y) = E_x p(y|x); mean and std over ``splits`` random splits.

    Salimans et al., 2016, "Improved Techniques for Training GANs", NeurIPS; the
    split-averaging follows their released code (10 splits). Here the classifier is
    HandGen's evaluator instead of Inception, as in most MNIST-scale work. With
    ``splits=1`` it equals ``bcis * wcis`` exactly. Images are assigned to splits by
    a seeded permutation so that sorted inputs do not make per-class splits.
    """
    p = _check_probs(probs)
    w = _weights(len(p), weights)
    splits = max(1, min(int(splits), len(p)))
    order = np.random.default_rng(seed).permutation(len(p)) if splits > 1 else np.arange(len(p))
    scores = []
    for part in np.array_split(order, splits):
        wp = w[part] / w[part].sum()
        marginal = wp @ p[part]
        scores.append(np.exp(np.sum(wp * _kl_rows(p[part], marginal[None, :]))))
    return float(np.mean(scores)), float(np.std(scores))


def class_conditional_marginals(probs, labels, weights=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (classes present, p(c) for each, p_c(y) = E_{x|c} p(y|x) for each)."""
    p = _check_probs(probs)
    labels = np.asarray(labels)
    w = _weights(len(p), weights)
    classes = np.unique(labels)
    prior = np.array([w[labels == c].sum() for c in classes])
    marg = np.stack([(w[labels == c] / w[labels == c].sum()) @ p[labels == c] for c in classes])
    return classes, prior, marg


def bcis(probs, labels, weights=None) -> float:
    """Between-class IS: BCIS = exp( E_{c~p(c)} KL(p_c(y) || p(y)) ), p_c(y) = E_{x~G(c)} p(y|x), p(y) = E_c p_c(y).

    Benny, Galanti, Benaim and Wolf, 2021, "Evaluation Metrics for Conditional Image
    Generation", IJCV 129. High when each requested class yields its own distinct
    class distribution: K for a perfect generator with K equally weighted classes,
    1 when every class yields the same output (mode collapse to one class).
    """
    _, prior, marg = class_conditional_marginals(probs, labels, weights)
    marginal = prior @ marg
    return float(np.exp(np.sum(prior * _kl_rows(marg, marginal[None, :]))))


def wcis(probs, labels, weights=None) -> float:
    """Within-class IS: WCIS = exp( E_c E_{x~G(c)} KL(p(y|x) || p_c(y)) ) (Benny et al., 2021, IJCV).

    How much the class read varies *within* one requested class: 1 when every image of
    a class gets the same prediction (a perfect generator, or a collapsed one), larger
    when a class's images spread over several predicted classes. IS = BCIS x WCIS.
    """
    p = _check_probs(probs)
    labels = np.asarray(labels)
    w = _weights(len(p), weights)
    classes, _, marg = class_conditional_marginals(p, labels, w)
    index = np.searchsorted(classes, labels)
    return float(np.exp(np.sum(w * _kl_rows(p, marg[index]))))


def bcis_ceiling(labels, weights=None) -> float:
    """exp(H(p(c))): the largest BCIS the requested label mix allows (= K for K equally weighted classes)."""
    labels = np.asarray(labels)
    w = _weights(len(labels), weights)
    prior = np.array([w[labels == c].sum() for c in np.unique(labels)])
    return float(np.exp(-np.sum(prior * np.log(prior))))


# ---------------------------------------------------------------------------------------------
# Fréchet distance


def feature_stats(features, weights=None) -> tuple[np.ndarray, np.ndarray]:
    """(mean, covariance) of (N, D) features, optionally weighted (covariance normalised by sum w, like np.cov(bias=True))."""
    f = np.asarray(features, dtype=np.float64)
    if f.ndim != 2 or len(f) < 2:
        raise ValueError(f"features must be (N, D) with N >= 2, got {f.shape}")
    w = _weights(len(f), weights)
    mu = w @ f
    centred = f - mu
    return mu, (centred * w[:, None]).T @ centred


def mixture_stats(counts, means, second_moments, class_weights) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of a class mixture from per-class statistics.

    mu = sum_c a_c mu_c, Sigma = sum_c a_c E[x x^T | c] - mu mu^T with a = class_weights
    normalised over classes that have data. Lets stored real-data statistics be
    reweighted to any requested class mix without the images.
    """
    a = np.asarray(class_weights, dtype=np.float64) * (np.asarray(counts) > 0)
    if a.sum() <= 0:
        raise ValueError("no class with both a weight and real data")
    a = a / a.sum()
    mu = a @ np.asarray(means, dtype=np.float64)
    second = np.tensordot(a, np.asarray(second_moments, dtype=np.float64), axes=1)
    sigma = second - np.outer(mu, mu)
    return mu, (sigma + sigma.T) / 2


def _sqrt_psd(matrix: np.ndarray) -> np.ndarray:
    """Square root of a symmetric positive semi-definite matrix; tiny negative eigenvalues (round-off) -> 0."""
    vals, vecs = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vecs * np.sqrt(np.clip(vals, 0.0, None))) @ vecs.T


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """d^2 = |mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1^1/2 S2 S1^1/2)^1/2): the Fréchet distance of two Gaussians.

    Dowson and Landau, 1982, J. Multivariate Anal. 12; used on classifier features as
    FID by Heusel et al., 2017, "GANs Trained by a Two Time-Scale Update Rule Converge
    to a Local Nash Equilibrium", NeurIPS. Tr((S1 S2)^1/2) is computed as
    Tr((S1^1/2 S2 S1^1/2)^1/2): the same value, but the inner matrix is symmetric PSD,
    so both roots come from ``eigh`` with round-off negatives clipped, with no complex
    parts and no scipy.
    """
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    s1, s2 = np.asarray(sigma1, np.float64), np.asarray(sigma2, np.float64)
    if mu1.shape != mu2.shape or s1.shape != s2.shape or s1.shape != (len(mu1), len(mu1)):
        raise ValueError("mean and covariance shapes do not match")
    root1 = _sqrt_psd(s1)
    inner = root1 @ s2 @ root1
    eig = np.linalg.eigvalsh((inner + inner.T) / 2)
    tr_covmean = float(np.sum(np.sqrt(np.clip(eig, 0.0, None))))
    diff = mu1 - mu2
    return float(max(diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * tr_covmean, 0.0))


def frechet_distance_features(features1, features2, weights1=None, weights2=None) -> float:
    """Fréchet distance between two feature sets (see ``frechet_distance``)."""
    return frechet_distance(*feature_stats(features1, weights1), *feature_stats(features2, weights2))
