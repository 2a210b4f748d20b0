from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from . import selectors
from .forms import SupervisorForm
from .jurisdiction import SupervisorType
from .models import Region


@require_GET
@cache_control(max_age=60)
def unit_autocomplete(request):
    """归口单位 matching ``q`` for ``type`` (and, for 省科协/市科协, ``region``): at most 20, as JSON."""
    region = Region.objects.filter(code=request.GET.get("region", "")).select_related("parent").first()
    supervisor_type = request.GET.get("type", "")
    units = selectors.search_units(
        supervisor_type=supervisor_type, region=region, query=request.GET.get("q", "")[:50]
    )
    results = [{"id": unit.pk, "name": unit.name, "short_name": unit.short_name} for unit in units]
    hint = ""
    if supervisor_type in (SupervisorType.PROVINCIAL, SupervisorType.CITY) and region is None:
        hint = "请先选择所在地区"
    elif not results:
        hint = "没有找到匹配的单位，请换个关键词；如不在列表中，可选择“其他”并输入全称"
    return JsonResponse({"results": results, "hint": hint}, json_dumps_params={"ensure_ascii": False})


def unit_lookup(request):
    """归口单位查询: which unit an activity with these choices would belong to."""
    form = SupervisorForm(request.GET or None)
    owner = form.owning_unit() if form.is_valid() else None
    return render(request, "directory/unit_lookup.html", {"form": form, "owner": owner})
