"""What the counted views and shares add up to, read from the flushed rows (``audience.models``).

The season's page views are the views of its activities' pages plus the views of the home
page and the list from the day its 填报 opened (``season_pages``); its shares are its
activities' shares. Both read the per-region daily rows (a few tens of thousands, not a row
per activity), as the 数据大屏 does (``reviews.screen``), so the home page and the screen
show the same figures. Counts still waiting in Redis show after the next flush
(``AUDIENCE_FLUSH_SECONDS``).
"""

from django.db.models import Sum

from activities.models import Campaign

from .models import PageViewDay, RegionReachDay


def season_pages(campaign: Campaign):
    """The daily views of the pages that are no activity's (首页, 活动列表) in the campaign's season."""
    return PageViewDay.objects.filter(day__gte=campaign.report_opens)


def season_reach(campaign: Campaign | None) -> dict:
    """{"views": …, "shares": …} of the campaign's season; zeros without a campaign."""
    if campaign is None:
        return {"views": 0, "shares": 0}
    activities = RegionReachDay.objects.filter(campaign=campaign).aggregate(
        views=Sum("views", default=0), shares=Sum("shares", default=0)
    )
    pages = season_pages(campaign).aggregate(views=Sum("views", default=0))
    return {"views": activities["views"] + pages["views"], "shares": activities["shares"]}
