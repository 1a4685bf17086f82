"""A user's own handwriting: the sheets they photographed, the glyphs read from them, the learned hand.

A hand is private to its owner (and staff). Its learned generators live under
``MEDIA_ROOT/hands/<id>/``; ``generators`` records, per default-generator charset,
which file holds the adapted weights and which characters it learned, so the
worker draws only those with it and the rest with the default hand.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .validators import validate_json_object

MAX_SHEET_BYTES = 20 * 1024 * 1024


class HandStatus(models.TextChoices):
    DRAFT = "draft", "collecting glyphs"
    QUEUED = "queued", "queued"
    LEARNING = "learning", "learning"
    READY = "ready", "ready"
    FAILED = "failed", "failed"
    CANCELLED = "cancelled", "cancelled"


class SheetStatus(models.TextChoices):
    PENDING = "pending", "waiting"
    PROCESSING = "processing", "reading"
    DONE = "done", "read"
    FAILED = "failed", "failed"


def sheet_upload_path(instance, filename):
    return f"hands/{instance.hand_id.hex}/sheets/{instance.pk.hex}-{filename[-60:]}"


class Hand(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hands")
    name = models.CharField(max_length=80)
    status = models.CharField(max_length=16, choices=HandStatus.choices, default=HandStatus.DRAFT)
    progress = models.FloatField(default=0.0, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    error_message = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    adapt_config = models.JSONField(default=dict, blank=True, validators=[validate_json_object])
    generators = models.JSONField(default=dict, blank=True, validators=[validate_json_object],
                                  help_text="{charset: {file, sha256, base, chars}}")
    adaptation = models.JSONField(default=dict, blank=True, validators=[validate_json_object],
                                  help_text="seed, config, package versions and metrics per charset")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=HandStatus.values), name="hand_status_valid"),
            models.CheckConstraint(condition=models.Q(progress__gte=0.0, progress__lte=1.0), name="hand_progress_range"),
            models.CheckConstraint(condition=~models.Q(status=HandStatus.FAILED) | ~models.Q(error_message=""),
                                   name="hand_failed_has_error_message"),
            models.UniqueConstraint(fields=["owner", "name"], name="hand_name_unique_per_owner"),
        ]

    def __str__(self):
        return f"{self.name} ({self.owner})"

    def clean(self):
        if not self.name.strip():
            raise ValidationError({"name": "Give the hand a name."})
        if self.status == HandStatus.FAILED and not self.error_message.strip():
            raise ValidationError({"error_message": "A failed hand needs the reason it failed."})

    @property
    def busy(self) -> bool:
        return self.status in (HandStatus.QUEUED, HandStatus.LEARNING)


class HandSheet(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hand = models.ForeignKey(Hand, on_delete=models.CASCADE, related_name="sheets")
    image = models.FileField(upload_to=sheet_upload_path, blank=True, max_length=300)
    status = models.CharField(max_length=16, choices=SheetStatus.choices, default=SheetStatus.PENDING)
    error_message = models.TextField(blank=True)
    quality = models.JSONField(default=dict, blank=True, validators=[validate_json_object])
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=SheetStatus.values), name="hand_sheet_status_valid"),
            models.CheckConstraint(condition=~models.Q(status=SheetStatus.FAILED) | ~models.Q(error_message=""),
                                   name="hand_sheet_failed_has_error_message"),
        ]

    def __str__(self):
        return f"sheet {self.pk} of {self.hand_id}"


class HandGlyph(models.Model):
    """One box read from a sheet: 28x28 white-on-black pixels, as the training data."""

    hand = models.ForeignKey(Hand, on_delete=models.CASCADE, related_name="glyphs")
    sheet = models.ForeignKey(HandSheet, on_delete=models.CASCADE, related_name="glyphs")
    char = models.CharField(max_length=1)
    sample = models.PositiveSmallIntegerField()
    pixels = models.BinaryField(max_length=784)
    read_as = models.CharField(max_length=1, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    dropped = models.BooleanField(default=False)

    class Meta:
        ordering = ["sheet", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "char", "sample"], name="hand_glyph_unique_box"),
        ]

    def __str__(self):
        return f"{self.char!r} #{self.sample + 1}"

    def clean(self):
        if len(bytes(self.pixels or b"")) != 784:
            raise ValidationError({"pixels": "A glyph is 28x28 pixels."})
