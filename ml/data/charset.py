"""Which characters a generator can draw, and how they map to class ids.

A charset is saved beside every model, so the text renderer can tell from the
model alone whether "A" and "a" are different classes or share one.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass, field

# Letters whose capital and small forms look alike in handwriting share a class in
# the case-aware charset (EMNIST's By_Merge/Balanced make the same choice for most
# of them). I, J, L, M keep separate classes: their two cases differ in shape.
SHARED_CASE_LETTERS = frozenset("ckopsuvwxyz")


@dataclass(frozen=True)
class Charset:
    name: str
    classes: tuple[str, ...]  # the canonical character of each class id
    case_aware: bool = False
    aliases: dict[str, int] = field(default_factory=dict)  # extra characters -> class id

    def __post_init__(self):
        if len(set(self.classes)) != len(self.classes):
            raise ValueError(f"charset {self.name!r} has duplicate classes")

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def class_of(self, ch: str) -> int | None:
        try:
            return self.classes.index(ch)
        except ValueError:
            return self.aliases.get(ch)

    def covers(self, ch: str) -> bool:
        return self.class_of(ch) is not None

    def char_of(self, class_id: int) -> str:
        return self.classes[int(class_id)]

    def characters(self) -> frozenset[str]:
        return frozenset(self.classes) | frozenset(self.aliases)

    def to_dict(self) -> dict:
        return {"name": self.name, "classes": list(self.classes), "case_aware": self.case_aware,
                "aliases": dict(self.aliases)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict) -> Charset:
        return cls(name=data["name"], classes=tuple(data["classes"]), case_aware=bool(data.get("case_aware")),
                   aliases={k: int(v) for k, v in data.get("aliases", {}).items()})


def digits() -> Charset:
    return Charset("digits", tuple(string.digits))


def letters() -> Charset:
    """26 case-merged classes as in EMNIST letters; capitals are aliases of their letter."""
    lower = string.ascii_lowercase
    return Charset("letters", tuple(lower), aliases={c.upper(): i for i, c in enumerate(lower)})


def letters_cased() -> Charset:
    """Capitals and small letters apart, except the look-alikes in SHARED_CASE_LETTERS."""
    classes = list(string.ascii_uppercase)
    aliases = {}
    for c in string.ascii_lowercase:
        if c in SHARED_CASE_LETTERS:
            aliases[c] = classes.index(c.upper())
        else:
            classes.append(c)
    return Charset("letters-cased", tuple(classes), case_aware=True, aliases=aliases)


def alnum() -> Charset:
    """Digits then case-merged letters: the 36-class union used by the union evaluator."""
    lower = string.ascii_lowercase
    return Charset("alnum", tuple(string.digits + lower),
                   aliases={c.upper(): 10 + i for i, c in enumerate(lower)})


def alnum_cased() -> Charset:
    """Digits then the `letters-cased` classes: one generator, so one style vector, for a whole page."""
    cased = letters_cased()
    return Charset("alnum-cased", tuple(string.digits) + cased.classes, case_aware=True,
                   aliases={ch: 10 + class_id for ch, class_id in cased.aliases.items()})


BUILTIN = {"digits": digits, "letters": letters, "letters-cased": letters_cased, "alnum": alnum,
           "alnum-cased": alnum_cased}


def get_charset(name: str) -> Charset:
    try:
        return BUILTIN[name]()
    except KeyError:
        raise ValueError(f"unknown charset {name!r}; valid: {', '.join(sorted(BUILTIN))}") from None
