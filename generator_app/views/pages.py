"""The landing page and the signed-in pages of the navigation."""

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.shortcuts import render

from generator_app.selectors.generations import generation_list_for_user

PAGE_SIZE = 25


@login_not_required
def landing(request):
    return render(request, "generator_app/landing.html")


def generate(request):
    return render(request, "generator_app/generate.html")


def my_generations(request):
    page = Paginator(generation_list_for_user(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "generator_app/my_generations.html", {"page": page})

