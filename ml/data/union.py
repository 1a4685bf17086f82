"""Several datasets as one training set, e.g. MNIST digits + EMNIST letters = 36 classes.

Labels are remapped through characters, not offsets, so the union is right
whatever the parts' class orders; a union whose classes are exactly a built-in
charset (digits + letters = "alnum") takes that charset and its name.
"""

from __future__ import annotations

import numpy as np

from ml.data import charset as charsets
from ml.data.arrays import LabelledImages
from ml.data.charset import Charset


def union_charset(parts: list[Charset]) -> Charset:
    classes: list[str] = []
    for cs in parts:
        classes.extend(ch for ch in cs.classes if ch not in classes)
    for make in charsets.BUILTIN.values():
        builtin = make()
        if builtin.classes == tuple(classes):
            return builtin
    aliases = {}
    for cs in parts:
        for alias, class_id in cs.aliases.items():
            if alias not in classes and alias not in aliases:
                aliases[alias] = classes.index(cs.char_of(class_id))
    return Charset("+".join(cs.name for cs in parts), tuple(classes),
                   case_aware=any(cs.case_aware for cs in parts), aliases=aliases)


def union(parts: list[LabelledImages]) -> LabelledImages:
    """One set holding every part's images, labels mapped into the union charset (copied once)."""
    if not parts:
        raise ValueError("a union needs at least one dataset")
    cs = union_charset([p.charset for p in parts])
    labels = []
    for part in parts:
        lookup = np.array([cs.class_of(ch) for ch in part.charset.classes], np.int32)
        labels.append(lookup[part.labels])
    return LabelledImages(np.concatenate([p.images for p in parts]), np.concatenate(labels), cs)


def union_splits(datasets: list[dict[str, LabelledImages]]) -> dict[str, LabelledImages]:
    splits = set.intersection(*(set(d) for d in datasets))
    return {split: union([d[split] for d in datasets]) for split in sorted(splits)}
