"""The landing page and the signed-in pages of the navigation."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render

from generator_app.models import RunStatus
from generator_app.selectors.generations import generation_list_for_user
from generator_app.selectors.runs import run_list

PAGE_SIZE = 25


@login_not_required
def landing(request):
    return render(request, "generator_app/landing.html")


def generate(request):
    return render(request, "generator_app/generate.html")


def my_generations(request):
    page = Paginator(generation_list_for_user(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "generator_app/my_generations.html", {"page": page})


def runs(request):
    status = request.GET.get("status") or None
    try:
        queryset = run_list(status=status)
    except ValidationError as error:
        return render(
            request,
            "generator_app/runs.html",
            {"error": error.messages[0], "statuses": RunStatus.choices},
            status=400,
        )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "generator_app/runs.html",
        {"page": page, "statuses": RunStatus.choices, "current_status": status},
    )
