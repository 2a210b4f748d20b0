"""The season's participants, one definition for every figure that shows them.

An activity's participants are the number its organiser wrote in its 活动总结 (a
summary is final once submitted), or, while it has none, its 打卡 check-ins: an
activity with a summary counts its summary's number, not both (README, "Participants").
"""

from django.db.models import F
from django.db.models.functions import Coalesce


def participants():
    """An expression over activities: each one's participants, as defined above."""
    return Coalesce(F("summary__participants"), F("checkin_count"))
