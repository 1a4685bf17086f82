"""Generation requests over the API: create (202), read, list own, delete.

Each user sees only their own requests: another user's id answers 404, like a
missing one. Creating is throttled per user (the ``generate`` rate, shared with the
Generate page) on top of the general per-user rate, which is generous enough for a
page polling its result.
"""

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from generator_app.api.generation_schema import OPTIONS_SCHEMA, TEXT_PATTERN
from generator_app.models import MAX_TEXT_LENGTH, GenerationRequest, GenerationStatus
from generator_app.models.validators import MAX_SEED
from generator_app.selectors.generations import generation_list_for_user
from generator_app.services.generation import (
    USER_OPTIONS,
    delete_generation,
    fail_if_stale,
    fail_stale_generations,
    request_generation,
)
from generator_app.throttles import GenerationCreateThrottle


@extend_schema_field(OPTIONS_SCHEMA)
class OptionsField(serializers.DictField):
    """Any object reaches the service, which checks names and ranges; the schema lists them."""


@extend_schema_field({"type": "string", "pattern": TEXT_PATTERN, "minLength": 1, "maxLength": MAX_TEXT_LENGTH})
class TextField(serializers.CharField):
    """Any string reaches the service, whose messages name each refused character and its position."""

    def run_validation(self, data=serializers.empty):
        if data == "":  # the service's message ("Type some text"), not DRF's; the schema says minLength 1
            return data
        return super().run_validation(data)

    def to_internal_value(self, data):
        if not isinstance(data, str):  # DRF would take 0 as "0": the schema says a string
            self.fail("invalid")
        return super().to_internal_value(data)


class GenerationInputSerializer(serializers.Serializer):
    """Shape only; what the text may contain is the service's business (one rule for page and API)."""

    text = TextField(
        trim_whitespace=False,
        help_text=f"Up to {MAX_TEXT_LENGTH} characters: letters, digits, space, line breaks and . , ! ? ' \" - : ; ( ) "
        "(those the site's generators draw; others are refused, each named with its position)",
    )  # fmt: skip
    style_seed = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_SEED,
        help_text="Fixes the hand; omit for a random one (returned in the response).",
    )  # fmt: skip
    options = OptionsField(required=False, default=dict, help_text=f"Render settings: any of {', '.join(USER_OPTIONS)}.")
    hand = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, default=None,
        help_text="The id of one of your learned hands; omit (or \"default\") for the default hand.",
    )  # fmt: skip


class GenerationSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    image_url = serializers.SerializerMethodField()
    svg_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    duration_ms = serializers.IntegerField(read_only=True, allow_null=True, help_text="null until it finishes")

    class Meta:
        model = GenerationRequest
        fields = [
            "id", "url", "status", "text", "style_seed", "options", "error_message", "image_url", "svg_url",
            "pdf_url", "timings", "duration_ms", "model_versions", "hand", "created_at", "started_at", "finished_at",
        ]  # fmt: skip

    def _absolute(self, name, generation):
        url = reverse(name, args=[generation.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    @extend_schema_field(serializers.URLField())
    def get_url(self, generation):
        return self._absolute("generation-detail", generation)

    def _file(self, name, generation):
        return self._absolute(name, generation) if generation.status == GenerationStatus.SUCCEEDED else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_image_url(self, generation):
        return self._file("generation_image", generation)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_svg_url(self, generation):
        return self._file("generation_svg", generation)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_pdf_url(self, generation):
        return self._file("generation_pdf", generation)


@extend_schema_view(
    create=extend_schema(
        request={"application/json": GenerationInputSerializer},
        responses={202: GenerationSerializer, 400: OpenApiResponse(description="Invalid text or options")},
        description="Queue text to be written by hand. Poll the returned url until status is succeeded or failed.",
    ),
    list=extend_schema(description="Your generation requests, newest first."),
)
class GenerationViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = GenerationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user, only the model
            return GenerationRequest.objects.none()
        return generation_list_for_user(user=self.request.user)

    def get_throttles(self):
        throttles = super().get_throttles()  # the defaults: per user, per anonymous address
        return [*throttles, GenerationCreateThrottle()] if self.action == "create" else throttles

    def create(self, request, *args, **kwargs):
        data = GenerationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        generation = request_generation(user=request.user, **data.validated_data)
        body = self.get_serializer(generation).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})

    def list(self, request, *args, **kwargs):
        fail_stale_generations(user=request.user)
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        generation = self.get_object()
        if fail_if_stale(generation=generation):
            generation.refresh_from_db()
        return Response(self.get_serializer(generation).data)

    def perform_destroy(self, instance):
        delete_generation(generation=instance)
