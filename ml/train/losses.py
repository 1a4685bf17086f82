"""GAN losses on logits, in keras.ops so every backend shares them.

Logits rather than sigmoid outputs: log(sigmoid(x)) = -softplus(-x) is stable
where the sigmoid saturates, which is exactly where a GAN's D lives early on.
"""

from __future__ import annotations

from keras import ops


def d_adversarial(kind: str, real, fake, label_smoothing: float = 0.0):
    if kind == "hinge":
        return ops.mean(ops.relu(1.0 - real)) + ops.mean(ops.relu(1.0 + fake))
    target = 1.0 - label_smoothing  # one-sided smoothing of the real target (Salimans et al. 2016)
    real_loss = target * ops.softplus(-real) + (1.0 - target) * ops.softplus(real)
    return ops.mean(real_loss) + ops.mean(ops.softplus(fake))


def g_adversarial(kind: str, fake):
    if kind == "hinge":
        return -ops.mean(fake)
    if kind == "saturating":  # minimise log(1 - D(G(z))), the original minimax form
        return -ops.mean(ops.softplus(fake))
    return ops.mean(ops.softplus(-fake))  # non-saturating: maximise log D(G(z))


def class_cross_entropy(logits, labels):
    return ops.mean(ops.sparse_categorical_crossentropy(labels, logits, from_logits=True))


def accuracy_real(real):
    return ops.mean(ops.cast(real > 0, "float32"))


def accuracy_fake(fake):
    return ops.mean(ops.cast(fake < 0, "float32"))
