from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def publish(request):
    """发布活动: the wizard's entry point."""
    return render(request, "activities/publish.html")


@login_required
def user_center(request):
    """用户中心: 活动管理 and 单位管理."""
    return render(request, "activities/user_center.html", {"active": "activities"})
