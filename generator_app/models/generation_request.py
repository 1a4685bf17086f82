"""A user's request to write text by hand, and what came of it.

The primary key is a random UUID so request URLs and image paths cannot be guessed.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan, LessThanOrEqual

from .choices import GENERATION_TERMINAL_STATUSES, GenerationStatus
from .validators import MAX_SEED, validate_json_object

MAX_TEXT_LENGTH = 1000


def generation_image_path(instance, filename):
    return f"generations/{instance.pk.hex}/{filename}"


class GenerationRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="generation_requests"
    )
    text = models.TextField(max_length=MAX_TEXT_LENGTH, validators=[MaxLengthValidator(MAX_TEXT_LENGTH)])
    options = models.JSONField(default=dict, blank=True, validators=[validate_json_object])
    style_seed = models.PositiveIntegerField(validators=[MaxValueValidator(MAX_SEED)])
    status = models.CharField(
        max_length=16, choices=GenerationStatus.choices, default=GenerationStatus.PENDING
    )
    hand = models.ForeignKey("generator_app.Hand", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="generations", help_text="the user's own hand; empty: the default hand")
    image = models.ImageField(upload_to=generation_image_path, blank=True, max_length=300)
    error_message = models.TextField(blank=True)
    model_versions = models.JSONField(
        default=dict, blank=True, validators=[validate_json_object], help_text="{charset: generator name/sha}"
    )
    timings = models.JSONField(
        default=dict, blank=True, validators=[validate_json_object], help_text="milliseconds"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=GenerationStatus.values), name="generation_status_valid"
            ),
            models.CheckConstraint(
                condition=GreaterThan(Length("text"), 0), name="generation_text_not_empty"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), MAX_TEXT_LENGTH), name="generation_text_max_length"
            ),
            models.CheckConstraint(
                condition=models.Q(style_seed__lte=MAX_SEED), name="generation_seed_in_range"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(status__in=GENERATION_TERMINAL_STATUSES, finished_at__isnull=False)
                    | (
                        ~models.Q(status__in=GENERATION_TERMINAL_STATUSES)
                        & models.Q(finished_at__isnull=True)
                    )
                ),
                name="generation_finished_at_iff_terminal",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=GenerationStatus.SUCCEEDED) | ~models.Q(image=""),
                name="generation_succeeded_has_image",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=GenerationStatus.FAILED) | ~models.Q(error_message=""),
                name="generation_failed_has_error_message",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="generation_user_created_idx"),
            models.Index(fields=["status", "created_at"], name="generation_status_created_idx"),
        ]

    def __str__(self):
        preview = self.text if len(self.text) <= 30 else self.text[:29] + "…"
        return f"{preview!r} by {self.user}"

    def clean(self):
        errors = {}
        if not self.text.strip():
            errors["text"] = "Type some text to write."
        if self.status == GenerationStatus.SUCCEEDED and not self.image:
            errors["image"] = "A finished request must have its image."
        if self.status == GenerationStatus.FAILED and not self.error_message.strip():
            errors["error_message"] = "A failed request needs the reason it failed."
        if errors:
            raise ValidationError(errors)

    @property
    def duration_ms(self):
        """Submit-to-finish time, what a user waits."""
        if not self.finished_at:
            return None
        return round((self.finished_at - self.created_at).total_seconds() * 1000)
