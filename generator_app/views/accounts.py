"""Self-service sign-up, off unless HANDGEN_ALLOW_SIGNUP is set."""

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import UserCreationForm
from django.http import Http404
from django.shortcuts import redirect, render

from generator_app.services.accounts import register_user


@login_not_required
def signup(request):
    if not settings.HANDGEN_ALLOW_SIGNUP:
        raise Http404("Sign-up is closed on this site.")
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = register_user(username=form.cleaned_data["username"], password=form.cleaned_data["password1"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "registration/signup.html", {"form": form})
