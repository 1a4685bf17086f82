"""API routes. Generation endpoints register on this same router when they arrive."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .runs import TrainingRunViewSet
from .views import DatasetViewSet

router = DefaultRouter()
router.register("datasets", DatasetViewSet, basename="dataset")
router.register("runs", TrainingRunViewSet, basename="run")

urlpatterns = [path("", include(router.urls))]
