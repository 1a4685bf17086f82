"""One exception handler turns the services' Django ValidationError into the API's 400 body."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from generator_app.api.errors import exception_handler

pytestmark = pytest.mark.django_db


def test_a_field_keyed_error_keeps_its_fields_and_a_plain_one_is_the_detail():
    keyed = exception_handler(ValidationError({"per_class": ["Choose from 1 to 5000."]}), {})
    assert (keyed.status_code, keyed.data) == (400, {"per_class": ["Choose from 1 to 5000."]})
    plain = exception_handler(ValidationError("Unknown sort 'loss'."), {})
    assert (plain.status_code, plain.data) == (400, {"detail": ["Unknown sort 'loss'."]})


def test_a_view_that_lets_a_service_error_through_answers_400(django_user_model):
    api = APIClient()
    api.force_authenticate(django_user_model.objects.create_user("reader", password="pw-not-used-1"))
    response = api.get("/api/runs/compare/", {"ids": "7,7"})  # the selector's check, not the serializer's
    assert (response.status_code, response.json()) == (400, {"detail": ["Pick 2 to 4 different runs to compare (got 1)."]})
