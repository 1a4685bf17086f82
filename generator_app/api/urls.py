"""API routes: one router, one viewset per resource (``/api/<resource>/``)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .datasets import DatasetViewSet
from .exports import DatasetExportViewSet
from .generations import GenerationViewSet
from .runs import TrainingRunViewSet
from .sweeps import SweepViewSet
from .usefulness import UsefulnessScoreViewSet

router = DefaultRouter()
router.register("datasets", DatasetViewSet, basename="dataset")
router.register("runs", TrainingRunViewSet, basename="run")
router.register("generations", GenerationViewSet, basename="generation")
router.register("exports", DatasetExportViewSet, basename="export")
router.register("usefulness-scores", UsefulnessScoreViewSet, basename="usefulness-score")
router.register("sweeps", SweepViewSet, basename="sweep")

urlpatterns = [path("", include(router.urls))]
