"""The versioning promise kept by configuration: once v2 exists, v1 says when it ends.

With ``API_V1_SUNSET`` set (a date, ``2027-06-30``), every answer under
``/api/v1/`` carries ``Deprecation: true`` and ``Sunset`` (RFC 8594) with that
day's end in HTTP date form, and a ``Link`` to the successor's docs; a client
can warn its users long before v1 is turned off.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import JsonResponse
from django.utils.http import http_date

from .errors import ApiError, body

PREFIX = "/api/v1/"


def sunset(get_response):
    def middleware(request):
        response = get_response(request)
        day = settings.API_V1_SUNSET
        if day and request.path.startswith(PREFIX):
            end = datetime.combine(
                date.fromisoformat(day) + timedelta(days=1), time.min, ZoneInfo("Asia/Shanghai")
            )
            response["Deprecation"] = "true"
            response["Sunset"] = http_date(end.timestamp())
            response["Link"] = '</api/v2/docs/>; rel="successor-version"'
        return response

    return middleware


def refuse_nul_in_query(get_response):
    """A query holding a NUL under /api/: the API's 400 in its own shape (``kepuri.http``'s middleware,
    after this one, answers the site's pages with its page)."""

    def middleware(request):
        if request.path_info.startswith("/api/") and any(
            "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
        ):
            error = ApiError("parse_error", "请求地址的查询参数含有空字符，无法处理")
            return JsonResponse(body(error), status=400, json_dumps_params={"ensure_ascii": False})
        return get_response(request)

    return middleware
