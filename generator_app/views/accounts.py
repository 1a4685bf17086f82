"""Self-service sign-up, off unless HANDGEN_ALLOW_SIGNUP is set; posts are rate-limited per address."""

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import UserCreationForm
from django.http import Http404
from django.shortcuts import redirect, render

from generator_app.services.accounts import register_user
from generator_app.throttles import SignupThrottle, Throttled, check_throttle, render_throttled


@login_not_required
def signup(request):
    if not settings.HANDGEN_ALLOW_SIGNUP:
        raise Http404("Sign-up is closed on this site.")
    form = UserCreationForm(request.POST or None)
    if request.method == "POST":
        try:
            check_throttle(request, SignupThrottle)
        except Throttled as throttled:
            return render_throttled(request, "registration/signup.html", {"form": form}, throttled)
    if request.method == "POST" and form.is_valid():
        user = register_user(username=form.cleaned_data["username"], password=form.cleaned_data["password1"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "registration/signup.html", {"form": form})
