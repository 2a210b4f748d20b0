"""What the counted views and shares add up to, read from the flushed rows (``audience.models``).

The season's page views are the views of its activities' pages plus the views of the home
page and the list from the day its 填报 opened; its shares are its activities' shares.
Counts still waiting in Redis show after the next flush (``AUDIENCE_FLUSH_SECONDS``).
"""

from django.db.models import Sum

from activities.models import Campaign

from .models import ActivityReach, PageViewDay


def season_reach(campaign: Campaign | None) -> dict:
    """{"views": …, "shares": …} of the campaign's season; zeros without a campaign."""
    if campaign is None:
        return {"views": 0, "shares": 0}
    activities = ActivityReach.objects.filter(campaign=campaign).aggregate(
        views=Sum("views", default=0), shares=Sum("shares", default=0)
    )
    pages = PageViewDay.objects.filter(day__gte=campaign.report_opens).aggregate(
        views=Sum("views", default=0)
    )
    return {"views": activities["views"] + pages["views"], "shares": activities["shares"]}
