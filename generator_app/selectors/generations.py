"""Reads of generation requests; a user only ever sees their own (staff may open any for debugging)."""

from generator_app.models import GenerationRequest


def generation_list_for_user(*, user):
    return GenerationRequest.objects.filter(user=user).order_by("-created_at")


def generation_for_user(*, user, generation_id):
    """The user's own request, or None (another user's request is as absent as a missing one)."""
    return GenerationRequest.objects.filter(user=user, pk=generation_id).first()


def generation_for_viewer(*, user, generation_id):
    """A request whose files ``user`` may see: their own, or any for staff."""
    queryset = GenerationRequest.objects.all() if user.is_staff else GenerationRequest.objects.filter(user=user)
    return queryset.filter(pk=generation_id).first()


def glyph_rows(*, generation, sheet):
    """One row per character for the staff debug view: the glyph drawn and how the evaluator read it."""
    rows = []
    for index, ch in enumerate(generation.text):
        slot = sheet.slot_of[index]
        if slot is None:
            kind = "line break" if ch == "\n" else ("space" if ch.isspace() else "drawn by the renderer")
            rows.append({"index": index + 1, "char": ch, "glyph": None, "kind": kind})
            continue
        rows.append({"index": index + 1, "char": ch, "glyph": sheet.glyphs[index], "kind": "generated",
                     "slot": slot, **sheet.slots[slot]})  # fmt: skip
    return rows
