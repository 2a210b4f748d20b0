from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_safe

from . import selectors
from .forms import SupervisorForm


@require_GET
@cache_control(max_age=60)
def unit_autocomplete(request):
    """归口单位 matching ``q`` for ``type`` (and, for 省科协/市科协, ``region``): at most 20, as JSON."""
    answer = selectors.autocomplete(
        supervisor_type=request.GET.get("type", ""),
        region_code=request.GET.get("region", ""),
        query=request.GET.get("q", "")[:50].strip(),
    )
    return JsonResponse(answer, json_dumps_params={"ensure_ascii": False})


@require_safe
def unit_lookup(request):
    """归口单位查询: which unit an activity with these choices would belong to."""
    form = SupervisorForm(request.GET or None)
    owner = form.owning_unit() if form.is_valid() else None
    return render(request, "directory/unit_lookup.html", {"form": form, "owner": owner})
