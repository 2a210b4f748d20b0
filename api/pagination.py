"""Lists are paged by cursor (keyset): the next page starts after the last row seen.

No page counts the whole set, and a row added while a client pages does not
shift what it sees. ``next`` and ``previous`` are the addresses of the
neighbouring pages, null at the ends.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination

INVALID_CURSOR = {"cursor": ["分页游标无效，请从第一页重新获取"]}


class Cursor(CursorPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-id"

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except Exception as exc:  # NotFound for a cursor we did not write
            raise ValidationError(INVALID_CURSOR) from exc

    def paginate_queryset(self, queryset, request, view=None):
        # A cursor's position is compared with the ordering's column: one we did not write may not fit it.
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, DjangoValidationError) as exc:
            raise ValidationError(INVALID_CURSOR) from exc

    def get_page_size(self, request):
        try:
            return super().get_page_size(request)
        except (TypeError, ValueError):
            return self.page_size
