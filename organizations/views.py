from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from . import services
from .forms import OrganizationForm


@require_safe
@login_required
def organization_detail(request):
    """用户中心 → 单位管理."""
    organization = services.organization_of(request.user)
    return render(
        request,
        "organizations/organization_detail.html",
        {"organization": organization, "active": "organization"},
    )


@login_required
def organization_edit(request):
    """修改单位填报信息 (or fill it in for the first time)."""
    organization = services.organization_of(request.user)
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        services.save_organization(owner=request.user, **form.cleaned_data)
        messages.success(request, "单位信息已保存")
        return redirect("organizations:detail")
    return render(
        request,
        "organizations/organization_edit.html",
        {"form": form, "organization": organization, "active": "organization"},
    )
