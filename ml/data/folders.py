"""Datasets laid out as one sub-folder per character: a user's own handwriting, and notMNIST.

Both come as a folder or a ZIP (see ml.data.archive), every picture is normalised
the MNIST way (ml.data.normalise), and the charset is built from the folder names.
A user's set is strict (one unreadable picture fails the import, naming the file);
notMNIST is known to hold a few broken PNGs, so its reader skips and counts them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import numpy as np

from ml.data import charset as charsets
from ml.data.archive import DEFAULT_LIMITS, Entry, Limits, list_tree
from ml.data.arrays import LabelledImages
from ml.data.charset import Charset
from ml.data.errors import DatasetError
from ml.data.normalise import GlyphError, glyph_from_picture
from ml.data.splits import DEFAULT_SPLIT_SEED, DEFAULT_TEST_FRACTION, split

_NOT_DRAWABLE = ("Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp")
MAX_SKIPPED_LISTED = 20


def character_of(folder_name: str, where: str) -> str:
    """The character a folder stands for; anything but one visible character is an error."""
    ch = unicodedata.normalize("NFC", folder_name)
    if len(ch) != 1:
        raise DatasetError(where, f"folder name {folder_name!r} is not a single character "
                                  "(name each folder after the character its pictures show, e.g. 'a' or '7')")
    if unicodedata.category(ch) in _NOT_DRAWABLE:
        raise DatasetError(where, f"folder name {folder_name!r} is not a visible character")
    return ch


def folder_charset(chars: Iterable[str], name: str = "custom") -> Charset:
    """The charset for a set of folder characters.

    A set that is exactly a built-in charset's classes becomes that charset (so a
    user's digits train a "digits" generator). Otherwise the classes are the
    characters in code-point order; a letter given in one case only also answers
    for the other case, and the charset is case-aware when some letter has both.
    """
    chars = sorted(set(chars))
    for builtin in charsets.BUILTIN.values():
        candidate = builtin()
        if set(candidate.classes) == set(chars):
            return candidate
    aliases, case_aware = {}, False
    for i, ch in enumerate(chars):
        other = ch.swapcase()
        if other != ch and len(other) == 1:
            if other in chars:
                case_aware = True
            else:
                aliases[other] = i
    return Charset(name, tuple(chars), case_aware=case_aware, aliases=aliases)


def _character_entries(path, limits: Limits) -> list[tuple[str, Entry]]:
    entries = list_tree(path, limits)
    if not entries:
        raise DatasetError(path, "no files found")
    # A ZIP of a folder ("mine/a/1.png") has one wrapping folder: look inside it.
    first = entries[0].parts[0]
    wrapped = all(len(e.parts) >= 3 and e.parts[0] == first for e in entries)
    if wrapped and _is_character(first):
        wrapped = False  # "a/x/1.png": 'a' is the character, 'x' a sub-folder of it
    out = []
    for entry in entries:
        parts = entry.parts[1:] if wrapped else entry.parts
        if len(parts) < 2:
            raise DatasetError(entry.where, "file outside a character folder (put each picture in a "
                                            "folder named after its character)")
        out.append((character_of(parts[0], entry.where), entry))
    return out


def _is_character(name: str) -> bool:
    try:
        character_of(name, "")
    except DatasetError:
        return False
    return True


def read_character_folders(path, *, limits: Limits = DEFAULT_LIMITS, skip_unreadable: bool = False,
                           charset_name: str = "custom") -> tuple[LabelledImages, dict]:
    """All pictures under ``path`` as normalised glyphs, with a report of what was skipped."""
    listed = _character_entries(path, limits)
    glyphs, chars, skipped = [], [], []
    for ch, entry in listed:
        try:
            glyph = glyph_from_picture(entry.read())
        except GlyphError as exc:
            if not skip_unreadable:
                raise DatasetError(entry.where, str(exc)) from None
            skipped.append({"file": entry.where, "problem": str(exc)})
            continue
        glyphs.append(glyph)
        chars.append(ch)
    if not glyphs:
        raise DatasetError(path, f"no readable pictures ({len(skipped)} unreadable skipped)")
    cs = folder_charset(chars, charset_name)
    labels = np.array([cs.class_of(ch) for ch in chars], np.int32)
    report = {"files": len(listed), "images": len(glyphs), "skipped_unreadable": len(skipped),
              "skipped_examples": skipped[:MAX_SKIPPED_LISTED]}
    return LabelledImages(np.stack(glyphs), labels, cs), report


def load_handwriting(root, *, seed: int = DEFAULT_SPLIT_SEED, test_fraction: float = DEFAULT_TEST_FRACTION,
                     limits: Limits = DEFAULT_LIMITS) -> dict[str, LabelledImages]:
    """A user's handwriting (folder or ZIP, one sub-folder per character), seeded stratified split."""
    data, _ = read_character_folders(root, limits=limits)
    return split(data, seed=seed, test_fraction=test_fraction)


def load_notmnist(root, *, seed: int = DEFAULT_SPLIT_SEED, test_fraction: float = DEFAULT_TEST_FRACTION,
                  limits: Limits = DEFAULT_LIMITS) -> dict[str, LabelledImages]:
    """notMNIST's folder-of-PNGs layout (A..J sub-folders); unreadable files are skipped."""
    data, _ = read_character_folders(root, limits=limits, skip_unreadable=True, charset_name="notmnist")
    return split(data, seed=seed, test_fraction=test_fraction)
