"""Generation requests from the web side: validate and queue, delete, fail, sweep.

The web process only checks the input and queues the request; drawing happens in a
worker on the ``generate`` queue (``generator_app.worker.generation_run``). Invalid input
raises ``ValidationError`` before anything is saved or queued.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from generator_app import task_queue
from generator_app.models import MAX_TEXT_LENGTH, GenerationRequest, GenerationStatus
from generator_app.models.generation_request import generation_image_path
from generator_app.models.validators import MAX_SEED
from ml.render import RenderOptions
from ml.render.options import OPTION_SPECS
from ml.render.options import USER_OPTIONS as USER_OPTIONS

from .generation_charsets import check_text_is_writable, writing_charsets

logger = logging.getLogger(__name__)

# The render options a user may choose (OPTION_SPECS' ``user`` ones); the jitter seed is the
# style seed, and the typographic proportions stay the renderer's. Where a spec gives a web
# range it is tighter than the renderer's: one request must not occupy a worker for minutes.
OPTION_LIMITS = {name: spec.web_range() for name, spec in OPTION_SPECS.items()
                 if spec.user and spec.user_low is not None}  # fmt: skip


def normalise_text(text: str) -> str:
    """Browsers send line breaks as CRLF; the page counts them as one character."""
    return text.replace("\r\n", "\n")


def check_text(text) -> str:
    """The text to write, or ValidationError({'text': ...}) saying what is wrong with it."""
    if not isinstance(text, str):
        raise ValidationError({"text": "Text must be a string."})
    text = normalise_text(text)
    if not text.strip():
        raise ValidationError({"text": "Type some text to write."})
    if len(text) > MAX_TEXT_LENGTH:
        raise ValidationError(
            {"text": f"The text is {len(text)} characters long; the limit is {MAX_TEXT_LENGTH}."}
        )
    check_text_is_writable(text, writing_charsets())
    return text


def clean_options(options) -> dict:
    """User render options → the full set stored with the request (defaults filled in).

    Storing every value, not only those given, keeps a request reproducible if a
    default changes later.
    """
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise ValidationError({"options": "Options must be an object of render settings."})
    unknown = sorted(set(options) - set(USER_OPTIONS))
    if unknown:
        raise ValidationError(
            {"options": f"Unknown option(s): {', '.join(unknown)}. Known: {', '.join(USER_OPTIONS)}."}
        )
    for name, (low, high) in OPTION_LIMITS.items():
        value = options.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and not low <= value <= high:
            raise ValidationError({"options": f"{name} must be between {low} and {high}, got {value}."})
    try:
        resolved = RenderOptions.from_dict(dict(options))
    except (TypeError, ValueError) as error:
        raise ValidationError({"options": str(error)}) from None
    return {name: getattr(resolved, name) for name in USER_OPTIONS}


def check_style_seed(style_seed) -> int:
    if style_seed is None or style_seed == "":
        return secrets.randbelow(MAX_SEED + 1)
    if isinstance(style_seed, bool) or not isinstance(style_seed, int) or not 0 <= style_seed <= MAX_SEED:
        raise ValidationError({"style_seed": f"The style seed must be a whole number from 0 to {MAX_SEED}."})
    return style_seed


def check_hand(user, hand):
    """The user's own learned hand for an id (None or "" or "default": the default hand).

    Someone else's hand, or one that does not exist, is refused with the same message,
    so ids cannot be probed.
    """
    from generator_app.models import Hand, HandStatus

    if hand in (None, "", "default"):
        return None
    if isinstance(hand, Hand):
        hand = hand.pk
    found = Hand.objects.filter(pk=hand, owner=user).first() if _is_uuid(hand) else None
    if found is None:
        raise ValidationError({"hand": "No such hand: choose the default hand or one of yours."})
    if found.status != HandStatus.READY:
        raise ValidationError({"hand": f"The hand {found.name!r} has not finished learning yet."})
    return found


def _is_uuid(value) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def request_generation(*, user, text, options=None, style_seed=None, hand=None) -> GenerationRequest:
    """Validate, save and queue a request; raise ValidationError (nothing saved) for bad input."""
    errors = {}
    cleaned = {}
    try:
        cleaned["hand"] = check_hand(user, hand)
    except ValidationError as error:
        errors.update(error.message_dict)
    for field, check, value in (
        ("text", check_text, text),
        ("options", clean_options, options),
        ("style_seed", check_style_seed, style_seed),
    ):
        try:
            cleaned[field] = check(value)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    generation = GenerationRequest(user=user, **cleaned)
    # The user is the signed-in one and the id a fresh UUID; the check constraints are the
    # database's too. Skipping their one-query-each re-checks keeps the submit path short.
    generation.full_clean(exclude=["user"], validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        generation.save()
        # The worker must find the row: send the message once the row is committed.
        transaction.on_commit(lambda: enqueue_generation(generation_id=generation.pk))
    return generation


def enqueue_generation(*, generation_id) -> None:
    """Send the task; a broker that refuses it ends the request failed rather than pending forever."""
    try:
        task_queue.send_task(task_queue.GENERATE_TEXT, str(generation_id))
    except Exception as error:  # noqa: BLE001  (any broker error: the user must hear about it)
        logger.exception("could not queue generation %s", generation_id)
        fail_generation(generation_id=generation_id, message=f"The request could not be queued ({error}).")


def fail_generation(*, generation_id, message: str, only_if_status=None) -> bool:
    """End an unfinished request as failed with ``message``; False if it had already ended."""
    statuses = only_if_status or (GenerationStatus.PENDING, GenerationStatus.RUNNING)
    with transaction.atomic():
        generation = (
            GenerationRequest.objects.select_for_update().filter(pk=generation_id, status__in=statuses).first()
        )
        if generation is None:
            return False
        generation.status = GenerationStatus.FAILED
        generation.error_message = message.strip() or "The request failed."
        generation.finished_at = timezone.now()
        generation.full_clean()
        generation.save(update_fields=["status", "error_message", "finished_at"])
    return True


def _stale_cutoffs(now):
    pending = now - timedelta(seconds=settings.HANDGEN_GENERATION_PENDING_LIMIT)
    running = now - timedelta(seconds=settings.HANDGEN_GENERATION_TIME_LIMIT + 30)
    return pending, running


def _pending_message():
    minutes = settings.HANDGEN_GENERATION_PENDING_LIMIT // 60
    return f"No worker picked this request up within {minutes} minutes; please submit it again."


STOPPED_MESSAGE = "The worker drawing this request stopped before it finished; please submit it again."


def fail_stale_generations(*, user=None, now=None) -> int:
    """Mark requests no worker is going to finish as failed; return how many.

    Pending past HANDGEN_GENERATION_PENDING_LIMIT: no worker took it (none running,
    or the message was lost). Running past the task's hard time limit: its worker died.
    Runs periodically (celery beat) and before a user's list is shown.
    """
    pending_cutoff, running_cutoff = _stale_cutoffs(now or timezone.now())
    queryset = GenerationRequest.objects.all() if user is None else GenerationRequest.objects.filter(user=user)
    stale_pending = queryset.filter(status=GenerationStatus.PENDING, created_at__lt=pending_cutoff)
    stale_running = queryset.filter(status=GenerationStatus.RUNNING, started_at__lt=running_cutoff)
    count = 0
    for pk in stale_pending.values_list("pk", flat=True):
        count += fail_generation(generation_id=pk, message=_pending_message(), only_if_status=[GenerationStatus.PENDING])
    for pk in stale_running.values_list("pk", flat=True):
        count += fail_generation(generation_id=pk, message=STOPPED_MESSAGE, only_if_status=[GenerationStatus.RUNNING])
    return count


def fail_if_stale(*, generation: GenerationRequest, now=None) -> bool:
    """The sweep for one request a client is polling: no query unless it is stale."""
    pending_cutoff, running_cutoff = _stale_cutoffs(now or timezone.now())
    if generation.status == GenerationStatus.PENDING and generation.created_at < pending_cutoff:
        return fail_generation(generation_id=generation.pk, message=_pending_message(),
                               only_if_status=[GenerationStatus.PENDING])  # fmt: skip
    if (
        generation.status == GenerationStatus.RUNNING
        and generation.started_at is not None
        and generation.started_at < running_cutoff
    ):
        return fail_generation(generation_id=generation.pk, message=STOPPED_MESSAGE,
                               only_if_status=[GenerationStatus.RUNNING])  # fmt: skip
    return False


def generation_files(generation: GenerationRequest) -> list[str]:
    """Storage names of every file a request may have (image, glyph sheet, cached vector forms)."""
    folder = generation_image_path(generation, "")
    try:
        _, names = default_storage.listdir(folder)
    except FileNotFoundError:
        names = []
    return [folder + name for name in names]


def delete_generation(*, generation: GenerationRequest) -> None:
    """Delete a request and its files. A worker still drawing it finds the row gone and cleans up."""
    names = generation_files(generation)
    with transaction.atomic():
        generation.delete()
    for name in names:
        default_storage.delete(name)
