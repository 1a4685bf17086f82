"""Dataset exports over the API: request one (202), poll it, download the ZIP, delete it.

Each user sees only their own exports; another user's id answers 404. Every limit is
the service's (``ml.export.plan``), so the page, the API and the CLI refuse the same
requests with the same message.
"""

from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from generator_app.models import Dataset, DatasetExport, ExportFormat, GeneratorModel, JobStatus
from generator_app.selectors.exports import export_list_for_user
from generator_app.services.dataset_exports import delete_export, request_export
from generator_app.throttles import GenerationCreateThrottle, UserRequestRateThrottle
from ml.export.plan import MAX_TOTAL_IMAGES


class ExportInputSerializer(serializers.Serializer):
    """Shape only: the counts' limits are the service's."""

    generator = serializers.SlugRelatedField(
        slug_field="name", queryset=GeneratorModel.objects.all(),
        error_messages={"does_not_exist": "Unknown generator {value!r}: use the name of a registered generator."},
        help_text="Name of a registered generator, e.g. digits-cgan-strong-v2.",
    )  # fmt: skip
    data_format = serializers.ChoiceField(choices=ExportFormat.choices, default=ExportFormat.IDX)
    per_class = serializers.IntegerField(
        required=False, allow_null=True,
        help_text=f"Images of every class (total at most {MAX_TOTAL_IMAGES:,}).",
    )  # fmt: skip
    total = serializers.IntegerField(
        required=False, allow_null=True, help_text="Images in all, when proportions_from is given."
    )
    proportions_from = serializers.PrimaryKeyRelatedField(
        queryset=Dataset.objects.all(), required=False, allow_null=True,
        help_text="Id of a dataset whose training split's class proportions the export copies.",
    )  # fmt: skip
    seed = serializers.IntegerField(required=False, default=0, help_text="0 to 4294967295; same seed, same file.")
    reject = serializers.BooleanField(
        required=False, default=False, help_text="Redraw glyphs the shipped evaluator reads as another character."
    )


class DatasetExportSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    generator = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = DatasetExport
        fields = [
            "id", "url", "status", "progress", "error_message", "generator", "data_format", "per_class",
            "proportions_from", "total_images", "class_counts", "seed", "reject", "download_url", "file_size",
            "file_sha256", "manifest", "created_at", "started_at", "finished_at",
        ]  # fmt: skip

    def _absolute(self, url):
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    @extend_schema_field(serializers.URLField())
    def get_url(self, export):
        return self._absolute(reverse("export-detail", args=[export.pk]))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, export):
        if export.status != JobStatus.SUCCEEDED:
            return None
        return self._absolute(reverse("export-download", args=[export.pk]))


@extend_schema_view(
    create=extend_schema(
        request=ExportInputSerializer,
        responses={202: DatasetExportSerializer,
                   400: OpenApiResponse(description="Unknown generator, or counts out of range (with the reason)")},
        description="Queue a synthetic dataset export. Poll the returned url; download_url appears when it succeeds.",
    ),
    list=extend_schema(description="Your dataset exports, newest first."),
    download=extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY},
                           description="The export ZIP (data, README.md, manifest.json)."),
)  # fmt: skip
class DatasetExportViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = DatasetExportSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DatasetExport.objects.none()
        return export_list_for_user(user=self.request.user)

    def get_throttles(self):
        return [GenerationCreateThrottle()] if self.action == "create" else [UserRequestRateThrottle()]

    def create(self, request, *args, **kwargs):
        data = ExportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        export = request_export(owner=request.user, **data.validated_data)
        body = self.get_serializer(export).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})

    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        export = self.get_object()
        if export.status != JobStatus.SUCCEEDED or not export.file:
            raise Http404("This export has no file yet.")
        try:
            handle = export.file.open("rb")
        except FileNotFoundError:
            raise Http404("The file of this export is missing.") from None
        return FileResponse(handle, as_attachment=True, filename=export.download_name,
                            content_type="application/zip")

    def perform_destroy(self, instance):
        delete_export(export=instance)
