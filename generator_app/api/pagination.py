"""Page numbers checked like every other parameter: ``?page=`` must be a whole number from 1.

DRF's own paginator reads an empty or missing ``page`` as the first page and answers 404
for text, while the schema declares an integer; here a malformed value is a 400 that says
what to send, and a page past the end stays a 404.
"""

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class CheckedPageNumberPagination(PageNumberPagination):
    last_page_strings = ()  # "last" is not an integer: the schema could not declare it

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise ValidationError({self.page_query_param: [f"A page number from 1 is expected, got {raw!r}."]})
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters
