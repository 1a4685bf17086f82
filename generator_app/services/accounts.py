"""User accounts: the first administrator and self-service sign-up."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction


@transaction.atomic
def create_first_admin(*, username="admin", password=None, email=""):
    """Create the first superuser unless one exists.

    Returns ``(user, password)`` when it created one (the password is generated when
    not given, so the caller can show it once), or ``(None, None)`` when an
    administrator already exists. A given password passes the same validators as any
    user's (``ValidationError`` otherwise): the most powerful account gets no exemption.
    """
    User = get_user_model()
    if User.objects.filter(is_superuser=True).exists() or User.objects.filter(username=username).exists():
        return None, None
    user = User(username=username, email=email, is_staff=True, is_superuser=True)
    if password:
        validate_password(password, user)
    password = password or secrets.token_urlsafe(12)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user, password


@transaction.atomic
def register_user(*, username, password, email=""):
    """Create an ordinary (non-staff) account; the form has already checked the password."""
    User = get_user_model()
    user = User(username=username, email=email)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user
