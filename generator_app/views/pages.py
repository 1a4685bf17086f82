"""The landing page. The signed-in pages live beside their concern (views/generations.py, views/runs.py)."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render


@login_not_required
def landing(request):
    return render(request, "generator_app/landing.html")
