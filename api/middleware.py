"""The versioning promise kept by configuration: once v2 exists, v1 says when it ends.

With ``API_V1_SUNSET`` set (a date, ``2027-06-30``), every answer under
``/api/v1/`` carries ``Deprecation: true`` and ``Sunset`` (RFC 8594) with that
day's end in HTTP date form, and a ``Link`` to the successor's docs; a client
can warn its users long before v1 is turned off.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.http import http_date

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
