"""The sweep API (read-only, every signed-in user): sweeps with their leaderboard, and their trials.

``/api/sweeps/`` lists sweeps; ``/api/sweeps/{id}/`` adds the summary, the parameter
importance and the leaderboard; ``/api/sweeps/{id}/trials/`` is the leaderboard alone,
best first, each trial with its parameters, result, status (and pruning reason) and run.
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from generator_app.models import Sweep
from generator_app.selectors.run_visibility import config_for_viewer
from generator_app.selectors.sweeps import param_importances, sweep_trials


class TrialSerializer(serializers.Serializer):
    trial_number = serializers.IntegerField()
    rank = serializers.IntegerField(allow_null=True, help_text="1 = best result; null while it has none")
    run_id = serializers.IntegerField()
    run_url = serializers.SerializerMethodField()
    status = serializers.CharField(help_text="The run's status: queued, running, succeeded, pruned, failed, cancelled")
    params = serializers.DictField(help_text="The values Optuna chose for this trial")
    result = serializers.FloatField(allow_null=True, help_text="Objective at the last recorded epoch")
    result_epoch = serializers.IntegerField(allow_null=True)
    best = serializers.FloatField(allow_null=True, help_text="Best objective over its epochs")
    epochs_done = serializers.IntegerField()
    epochs_total = serializers.IntegerField()
    duration_seconds = serializers.FloatField(allow_null=True)
    pruned_reason = serializers.CharField(allow_blank=True)
    is_base = serializers.BooleanField(help_text="Trial 0 with the base config itself")

    def get_run_url(self, trial) -> str:
        url = reverse("run-detail", args=[trial["run_id"]])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class SweepSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="sweep-detail")
    page_url = serializers.SerializerMethodField()
    epochs_per_trial = serializers.IntegerField(read_only=True)

    class Meta:
        model = Sweep
        fields = ["id", "url", "page_url", "name", "status", "dataset", "architecture", "objective", "direction",
                  "sampler", "sampler_seed", "pruner", "pruner_startup_trials", "pruner_warmup_epochs", "n_trials",
                  "parallelism", "base_trial", "epochs_per_trial", "search_space", "base_config", "study_name",
                  "optuna_version", "error_message", "created_at", "finished_at"]  # fmt: skip
        read_only_fields = fields

    def get_page_url(self, sweep) -> str:
        return reverse("sweep_detail", args=[sweep.pk])

    def to_representation(self, sweep):
        """The base config names no server path (data_root) except to staff, as a run's does."""
        data = super().to_representation(sweep)
        request = self.context.get("request")
        data["base_config"] = config_for_viewer(data["base_config"], user=getattr(request, "user", None))
        return data


class SweepDetailSerializer(SweepSerializer):
    importance = serializers.SerializerMethodField(help_text="{parameter: importance}; null with < 2 results")
    trials = serializers.SerializerMethodField()

    class Meta(SweepSerializer.Meta):
        fields = [*SweepSerializer.Meta.fields, "importance", "trials"]
        read_only_fields = fields

    def _trials(self, sweep):
        if not hasattr(sweep, "_leaderboard"):
            sweep._leaderboard = sweep_trials(sweep=sweep)
        return sweep._leaderboard

    def get_importance(self, sweep) -> dict[str, float] | None:
        return param_importances(sweep=sweep, trials=self._trials(sweep))

    @extend_schema(responses=TrialSerializer(many=True))
    def get_trials(self, sweep) -> list[dict]:
        return TrialSerializer(self._trials(sweep), many=True, context=self.context).data


class SweepViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Sweep.objects.order_by("-created_at", "-id")

    def get_serializer_class(self):
        return SweepDetailSerializer if self.action == "retrieve" else SweepSerializer

    @extend_schema(responses=TrialSerializer(many=True))
    @action(detail=True, methods=["get"])
    def trials(self, request, pk=None):
        """The leaderboard: every trial, best result first."""
        sweep = self.get_object()
        return Response(TrialSerializer(sweep_trials(sweep=sweep), many=True, context={"request": request}).data)
