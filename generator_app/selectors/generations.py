"""Reads of generation requests; a user only ever sees their own."""

from generator_app.models import GenerationRequest


def generation_list_for_user(*, user):
    return GenerationRequest.objects.filter(user=user).order_by("-created_at")
