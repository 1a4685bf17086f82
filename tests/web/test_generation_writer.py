"""ml.writer: one hand per request, the glyph pool, batched draws and redraws (numpy stand-ins, no Keras)."""

import numpy as np
import pytest

from ml.data.charset import digits, letters, letters_cased
from ml.render import glyph_is_blank
from ml.writer import choose_drawer, slot_latent, style_vector, write_glyphs


class FakeGenerator:
    """Draws a bar whose position encodes the class and whose length encodes z[0]; records each call."""

    def __init__(self, charset, latent_dim=8, blank_when=None):
        self.charset, self.latent_dim = charset, latent_dim
        self.calls = []
        self.blank_when = blank_when or (lambda label, z: False)

    def draw(self, labels, z):
        labels, z = np.asarray(labels), np.asarray(z)
        assert z.shape == (len(labels), self.latent_dim) and z.dtype == np.float32
        self.calls.append((labels.copy(), z.copy()))
        out = np.zeros((len(labels), 28, 28), np.uint8)
        for k, (label, zk) in enumerate(zip(labels, z, strict=True)):
            if self.blank_when(int(label), zk):
                continue
            column = 2 + int(label) % 24
            length = 10 + int(abs(zk[0]) * 4) % 12
            out[k, 4 : 4 + length, column : column + 3] = 255
        return out


class FakeReader:
    """Reads every glyph as ``wrong`` unless ``accept(z-less image)`` says it is right."""

    def __init__(self, charset, accept):
        self.charset, self.accept = charset, accept
        self.batches = []

    def probs(self, images):
        self.batches.append(len(images))
        out = np.full((len(images), self.charset.n_classes), 0.01)
        for k, img in enumerate(images):
            column = int(np.argmax(img.max(axis=0)))  # the bar's left edge
            label = (column - 2) % 24
            out[k, label if self.accept(img) else (label + 1) % self.charset.n_classes] = 0.9
        return out


def test_same_seed_same_glyphs_other_seed_other_hand():
    gen = FakeGenerator(digits())
    a = write_glyphs("2026 20", {"digits": gen}, seed=5)
    b = write_glyphs("2026 20", {"digits": gen}, seed=5)
    write_glyphs("2026 20", {"digits": gen}, seed=6)
    for x, y in zip(a.glyphs, b.glyphs, strict=True):
        assert (x is None and y is None) or np.array_equal(x, y)
    assert np.array_equal(gen.calls[0][1], gen.calls[1][1])
    assert not np.array_equal(gen.calls[0][1], gen.calls[2][1])
    assert a.glyphs[4] is None  # the space takes no glyph


def test_one_hand_latents_share_a_base_and_differ_per_glyph():
    base = style_vector(3, "digits", 64)
    z = np.stack([slot_latent(3, "digits", base, c, v, 0) for c in range(10) for v in range(4)])
    other = style_vector(4, "digits", 64)
    assert np.all(z @ base / (np.linalg.norm(z, axis=1) * np.linalg.norm(base)) > 0.8)  # one hand
    assert len({row.tobytes() for row in z}) == len(z)  # no two drawings alike
    assert abs(base @ other / (np.linalg.norm(base) * np.linalg.norm(other))) < 0.6  # another seed, another hand
    redraw = slot_latent(3, "digits", base, 0, 0, 2)
    assert not np.allclose(redraw, z[0])


def test_every_occurrence_is_its_own_drawing_in_one_batched_call():
    gen = FakeGenerator(digits())
    sheet = write_glyphs("1111111 22", {"digits": gen}, seed=1)
    assert len(gen.calls) == 1  # everything in one generator call
    assert len(gen.calls[0][0]) == 9  # one row per character, no stamps
    assert len({sheet.slot_of[i] for i in range(7)}) == 7
    latents = {row.tobytes() for row in gen.calls[0][1]}
    assert len(latents) == 9  # every drawing from its own noise


def test_a_glyph_with_a_speck_is_redrawn_and_the_speck_recorded():
    class SpeckFirst(FakeGenerator):
        def draw(self, labels, z):
            out = super().draw(labels, z)
            if len(self.calls) == 1:
                out[:, 24:26, 24:26] = 255  # a blob beside every bar of the first attempt
            return out

    gen = SpeckFirst(digits())
    sheet = write_glyphs("12", {"digits": gen}, seed=3, max_redraws=2)
    assert [len(labels) for labels, _ in gen.calls] == [2, 2]
    assert all(s.attempts == 2 and s.specks == 0 and s.accepted for s in sheet.slots)
    assert all(r["specks"] == 0 for r in sheet.records() if r["drawn"])


def test_blank_glyphs_are_redrawn_with_fresh_noise_until_inked():
    tries = {"n": 0}

    def blank_first_two(label, z):
        if label == 7:
            tries["n"] += 1
            return tries["n"] <= 2
        return False

    gen = FakeGenerator(digits(), blank_when=blank_first_two)
    sheet = write_glyphs("17", {"digits": gen}, seed=9, max_redraws=3)
    seven = sheet.slots[sheet.slot_of[1]]
    assert seven.attempts == 3 and not seven.blank and not glyph_is_blank(sheet.glyphs[1])
    assert [len(labels) for labels, _ in gen.calls] == [2, 1, 1]  # only the failure is redrawn
    assert not np.allclose(gen.calls[1][1], gen.calls[2][1])  # fresh noise per attempt
    assert sheet.slots[sheet.slot_of[0]].attempts == 1


def test_an_always_blank_glyph_stops_after_n_redraws_and_the_text_stays_complete():
    gen = FakeGenerator(digits(), blank_when=lambda label, z: label == 3)
    sheet = write_glyphs("33", {"digits": gen}, seed=0, max_redraws=2)
    assert len(gen.calls) == 3
    slot = sheet.slots[sheet.slot_of[0]]
    assert slot.blank and slot.attempts == 3 and not slot.accepted
    assert sheet.glyphs[0] is not None  # kept (the renderer leaves a gap), never dropped


def test_misread_glyphs_are_redrawn_and_the_reading_is_recorded():
    gen = FakeGenerator(digits())
    state = {"reads": 0}

    def accept(img):  # the first reading of each batch is wrong
        state["reads"] += 1
        return state["reads"] > 1

    reader = FakeReader(digits(), accept)
    sheet = write_glyphs("45", {"digits": gen}, seed=2, readers={"digits": reader}, max_redraws=3)
    assert reader.batches == [2, 1]  # one batched read per attempt, only the failure re-read
    records = sheet.records()
    assert all(r["accepted"] for r in records)
    assert {r["read_as"] for r in records} == {"4", "5"}
    assert sorted(r["attempts"] for r in records) == [1, 2]
    assert all(0 < r["confidence"] <= 1 for r in records)


def test_best_attempt_is_kept_when_every_attempt_is_misread():
    gen = FakeGenerator(digits())
    reader = FakeReader(digits(), accept=lambda img: False)
    sheet = write_glyphs("8", {"digits": gen}, seed=2, readers={"digits": reader}, max_redraws=2)
    slot = sheet.slots[0]
    assert slot.attempts == 3 and not slot.accepted and slot.read_as == "9"


def test_case_aware_generator_is_preferred_and_read_case_merged():
    cased, merged = FakeGenerator(letters_cased()), FakeGenerator(letters())
    drawers = {"letters": merged, "letters-cased": cased}
    assert choose_drawer("A", drawers) == "letters-cased"
    assert choose_drawer("7", drawers) is None
    sheet = write_glyphs("Ao", {"letters-cased": cased}, seed=1, readers={"letters-cased": FakeReader(letters(), lambda i: True)})
    assert sheet.slots[sheet.slot_of[0]].expected == letters().class_of("a")  # 'A' is judged as the letter a
    # o and O share a class in the case-aware charset: both draw the same class id
    assert cased.charset.class_of("o") == cased.charset.class_of("O")


def test_punctuation_and_layout_characters_take_no_glyph():
    gen = FakeGenerator(digits())
    sheet = write_glyphs("1, 2!\n(3)", {"digits": gen}, seed=0)
    assert [g is not None for g in sheet.glyphs] == [True, False, False, True, False, False, False, True, False]


def test_a_character_no_generator_draws_is_named():
    with pytest.raises(ValueError, match="position 2: no generator draws 'x'"):
        write_glyphs("1x", {"digits": FakeGenerator(digits())}, seed=0)
