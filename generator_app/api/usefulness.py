"""Usefulness scores (CAS) over the API: staff request one for a generator; everyone signed in reads them.

Requesting is staff-only because a score trains classifiers for minutes on the
training workers; the figures themselves are public to signed-in users, as the
generators' cards are.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response

from generator_app.models import GeneratorModel, UsefulnessScore
from generator_app.selectors.run_visibility import result_for_viewer
from generator_app.services.usefulness import MAX_EPOCHS, MAX_PER_CLASS, request_usefulness_score


class UsefulnessInputSerializer(serializers.Serializer):
    generator = serializers.SlugRelatedField(
        slug_field="name", queryset=GeneratorModel.objects.all(),
        error_messages={"does_not_exist": "Unknown generator {value!r}: use the name of a registered generator."},
    )  # fmt: skip
    per_class = serializers.IntegerField(required=False, allow_null=True,
                                         help_text=f"Generated images per class, 1..{MAX_PER_CLASS} (default 1000).")
    epochs = serializers.IntegerField(required=False, allow_null=True,
                                      help_text=f"Classifier epochs, 1..{MAX_EPOCHS} (default 5).")
    seed = serializers.IntegerField(required=False, default=0)


class UsefulnessScoreSerializer(serializers.ModelSerializer):
    generator = serializers.SlugRelatedField(slug_field="name", read_only=True)
    result = serializers.SerializerMethodField()

    class Meta:
        model = UsefulnessScore
        fields = ["id", "generator", "status", "progress", "error_message", "config", "result", "created_at",
                  "started_at", "finished_at"]

    def get_result(self, score) -> dict:
        request = self.context.get("request")
        return result_for_viewer(score.result, user=getattr(request, "user", None))


class IsStaffToCreate(permissions.BasePermission):
    message = "Only staff may request a usefulness score (it trains classifiers on the workers)."

    def has_permission(self, request, view):
        return view.action != "create" or bool(request.user and request.user.is_staff)


@extend_schema_view(
    create=extend_schema(
        request=UsefulnessInputSerializer,
        responses={202: UsefulnessScoreSerializer, 400: OpenApiResponse(description="Unknown generator or bad value"),
                   403: OpenApiResponse(description="Not staff")},
        description="Queue a classification accuracy score (CAS) for a generator (staff).",
    ),
    list=extend_schema(description="Usefulness scores, newest first; filter with ?generator=<name>."),
)  # fmt: skip
class UsefulnessScoreViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin,
                             viewsets.GenericViewSet):
    serializer_class = UsefulnessScoreSerializer
    permission_classes = [permissions.IsAuthenticated, IsStaffToCreate]

    def get_queryset(self):
        queryset = UsefulnessScore.objects.select_related("generator").order_by("-created_at")
        name = self.request.query_params.get("generator") if self.request else None
        return queryset.filter(generator__name=name) if name else queryset

    def create(self, request, *args, **kwargs):
        data = UsefulnessInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        score = request_usefulness_score(requested_by=request.user, **data.validated_data)
        return Response(self.get_serializer(score).data, status=status.HTTP_202_ACCEPTED)
