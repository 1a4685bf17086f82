"""Validators for the JSON fields: their shape is a rule the database cannot express."""

import math
import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

# A charset is a short name agreed with ml/ ("digits", "letters", "letters-cased"...).
validate_charset_name = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]{0,31}$",
    "Use a short lowercase name such as 'digits', 'letters' or 'letters-cased'.",
)
# Architecture names are keys of the model registry in ml/models.
validate_architecture_name = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
    "Use the registry name of the architecture: letters, digits, '_', '-' or '.'.",
)

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_SEED = 2**31 - 1  # the range ml.train.config accepts, and a PostgreSQL integer


def validate_sha256_map(value):
    """{file name: lowercase hex SHA-256} — lets a run prove which bytes it trained on."""
    if not isinstance(value, dict):
        raise ValidationError("Expected an object mapping file names to SHA-256 digests.")
    for name, digest in value.items():
        if not name:
            raise ValidationError("File names must not be empty.")
        if not isinstance(digest, str) or not _SHA256.match(digest):
            raise ValidationError(f"{name!r}: expected 64 lowercase hex digits, got {digest!r}.")


def validate_count_map(value, *, what="count"):
    """{key: non-negative integer}."""
    if not isinstance(value, dict):
        raise ValidationError(f"Expected an object mapping names to {what}s.")
    for key, count in value.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValidationError(f"{key!r}: {what} must be a non-negative integer, got {count!r}.")


def validate_split_counts(value):
    validate_count_map(value, what="example count")


def validate_class_histogram(value):
    """{split: {class label: count}}, e.g. {"train": {"0": 5923, ...}}."""
    if not isinstance(value, dict):
        raise ValidationError("Expected an object mapping split names to class histograms.")
    for split, histogram in value.items():
        try:
            validate_count_map(histogram, what="class count")
        except ValidationError as error:
            raise ValidationError(f"split {split!r}: {error.messages[0]}") from None


def validate_number_map(value):
    """{name: finite number or null}; null stands for a value that diverged (NaN/inf),
    which JSON columns cannot store."""
    if not isinstance(value, dict):
        raise ValidationError("Expected an object mapping metric names to numbers.")
    for key, number in value.items():
        if number is None:
            continue
        if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
            raise ValidationError(f"{key!r}: expected a finite number or null, got {number!r}.")


def validate_json_object(value):
    if not isinstance(value, dict):
        raise ValidationError("Expected a JSON object.")
