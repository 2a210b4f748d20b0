"""What every client reads first: the current campaign with its windows, regions, units."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from activities.deadlines import Window, window_state
from activities.models import Campaign
from api.caching import public_json
from api.errors import ApiError
from api.serializers.reference import CampaignOut, Province, UnitMatches, window
from api.throttles import PUBLIC_READ
from directory import selectors
from directory.jurisdiction import SupervisorType
from directory.models import Region

TAG = ["年度与目录"]


def campaign_data(campaign: Campaign) -> dict:
    return {
        "year": campaign.year,
        "name": campaign.name,
        "national_theme": campaign.national_theme,
        "label": campaign.label,
        "province_themes": [
            {"province": theme.province.code, "theme": theme.theme}
            for theme in campaign.province_themes.select_related("province")
        ],
        "categories": [{"id": c.pk, "name": c.name} for c in campaign.categories.active()],
        "activity_period": {"starts": campaign.opens_at, "ends": campaign.ends_at},
        "windows": [window(window_state(w, campaign=campaign)) for w in Window],
    }


class CampaignView(APIView):
    """The current campaign (科普日年度): themes, label, categories, and its windows now."""

    permission_classes = [AllowAny]
    throttle_classes = PUBLIC_READ
    etag = True

    @extend_schema(tags=TAG, responses=CampaignOut, summary="当前科普日年度")
    def get(self, request):
        campaign = Campaign.objects.current()
        if campaign is None:
            raise ApiError("not_found", "当前没有科普日活动")
        return public_json(request, lambda: campaign_data(campaign))


REGIONS_KEY = "api:regions"


class RegionsView(APIView):
    """所在地区: the 32 province-level entries, each with its cities (the 2020 division codes)."""

    permission_classes = [AllowAny]
    throttle_classes = PUBLIC_READ
    etag = True

    @extend_schema(tags=TAG, responses=Province(many=True), summary="所在地区（省、市）")
    def get(self, request):
        def build():
            cities = {}
            for city in Region.objects.cities().order_by("code"):
                cities.setdefault(city.parent_id, []).append({"code": city.code, "name": city.name})
            return [
                {"code": p.code, "name": p.name, "cities": cities.get(p.pk, [])}
                for p in Region.objects.provinces().order_by("code")
            ]

        return public_json(request, build, kept=(REGIONS_KEY, selectors.GENERATION), ttl=3600)


class UnitsView(APIView):
    """归口单位 autocomplete: at most 20 active units of a type matching part of the name or the
    pinyin initials; for 省科协 / 市科协 only those of the activity's region."""

    permission_classes = [AllowAny]
    throttle_classes = PUBLIC_READ
    etag = True
    query_serializer = True

    @extend_schema(
        tags=TAG,
        responses=UnitMatches,
        summary="归口单位检索",
        parameters=[
            OpenApiParameter(
                "type",
                str,
                enum=[t.value for t in SupervisorType if t != SupervisorType.OTHER],
                description="ministry 部委 · society 全国学会 · provincial 省科协 · city 市科协",
            ),
            OpenApiParameter("region", str, description="所在地区的区划代码（省科协、市科协必填）"),
            OpenApiParameter("q", str, description="名称的一部分或拼音首字母，如 bd"),
        ],
    )
    def get(self, request):
        params = request.query_params
        answer = selectors.autocomplete(
            supervisor_type=params.get("type", ""),
            region_code=params.get("region", "")[:6],
            query=params.get("q", "")[:50].strip(),
        )
        return public_json(request, lambda: answer)
