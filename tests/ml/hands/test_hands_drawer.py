"""The hand drawer sends the learned characters to the adapted generator and the rest to the default."""

import numpy as np

from ml.data.charset import digits
from ml.hands.drawer import HandDrawer


class Stub:
    def __init__(self, value):
        self.charset, self.latent_dim, self.value, self.calls = digits(), 4, value, []

    def draw(self, labels, z):
        self.calls.append(list(labels))
        return np.full((len(labels), 28, 28), self.value, np.uint8) + z[:, :1, None].astype(np.uint8)


def test_learned_classes_come_from_the_hand_and_the_others_from_the_default_in_order():
    default, hand = Stub(10), Stub(200)
    drawer = HandDrawer(default, hand, {3, 7})
    z = np.arange(5, dtype=np.float32)[:, None].repeat(4, axis=1)
    out = drawer.draw([3, 1, 7, 3, 0], z)
    assert [int(o[0, 0]) for o in out] == [200, 11, 202, 203, 14]
    assert hand.calls == [[3, 7, 3]] and default.calls == [[1, 0]]
    assert np.array_equal(drawer.draw([3, 1, 7, 3, 0], z), out)
