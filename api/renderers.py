"""JSON as the API writes it: UTF-8 Chinese as it is, every instant in Asia/Shanghai.

Instants are stored in UTC and decided in Asia/Shanghai (``activities.deadlines``);
a client reads them as the site shows them: ``2020-09-15T09:30:00+08:00``.
"""

import datetime

from django.utils import timezone
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder


class LocalTimeEncoder(JSONEncoder):
    def default(self, obj):
        if isinstance(obj, datetime.datetime) and timezone.is_aware(obj):
            return timezone.localtime(obj).isoformat()
        return super().default(obj)


class JSONRenderer(renderers.JSONRenderer):
    encoder_class = LocalTimeEncoder
