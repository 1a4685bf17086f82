"""Reads of hands: private to their owner; staff may open any (support, moderation)."""

from __future__ import annotations

import base64
import io
from collections import OrderedDict

import numpy as np
from django.http import Http404
from PIL import Image

from generator_app.models import Hand, HandStatus, SheetStatus
from ml.hands.template import CHARACTERS, SAMPLES


def hands_for(*, user):
    return Hand.objects.filter(owner=user).order_by("-created_at")


def ready_hands_for(*, user):
    return Hand.objects.filter(owner=user, status=HandStatus.READY).order_by("name")


def hand_for_viewer(*, user, hand_id) -> Hand:
    """The hand, or Http404: another user's hand is as absent as a missing one."""
    queryset = Hand.objects.all() if user.is_staff else Hand.objects.filter(owner=user)
    hand = queryset.filter(pk=hand_id).first()
    if hand is None:
        raise Http404("No such hand.")
    return hand


def _data_uri(pixels: bytes) -> str:
    """Dark ink on white, as the user wrote it (stored glyphs are white on black)."""
    img = 255 - np.frombuffer(bytes(pixels), np.uint8).reshape(28, 28)
    buffer = io.BytesIO()
    Image.fromarray(img).resize((56, 56), Image.Resampling.NEAREST).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def review_for(*, hand: Hand) -> dict:
    """Every template box in sheet order, with its glyph (or None) and the evaluator's reading."""
    glyphs = {(g.char, g.sample): g for g in hand.glyphs.filter(sheet__status=SheetStatus.DONE)}
    rows = OrderedDict()
    for char in CHARACTERS:
        cells = []
        for k in range(SAMPLES):
            g = glyphs.get((char, k))
            cells.append(None if g is None else {"glyph": g, "src": _data_uri(g.pixels),
                                                 "misread": bool(g.read_as) and g.read_as.lower() != char.lower()})
        rows[char] = cells
    kept = {c for (c, _), g in glyphs.items() if not g.dropped}
    fallback = [c for c in CHARACTERS if c.isalnum() and c not in kept]
    return {"rows": rows, "fallback": "".join(fallback), "kept": sum(not g.dropped for g in glyphs.values()),
            "total": len(glyphs)}
