"""URLs of the pages; the API has its own in generator_app.api.urls."""

from django.urls import path

from generator_app.views import accounts, media, pages

urlpatterns = [
    path("", pages.landing, name="landing"),
    path("generate/", pages.generate, name="generate"),
    path("generations/", pages.my_generations, name="my_generations"),
    path("runs/", pages.runs, name="runs"),
    path("runs/samples/<int:pk>.png", media.sample_grid_image, name="sample_grid_image"),
    path("accounts/signup/", accounts.signup, name="signup"),
]
