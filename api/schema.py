"""The OpenAPI 3.1 schema (drf-spectacular): our error answers, the bearer token, the throttles.

Every operation documents the error statuses it can give, each with the error
shape of ``api.errors`` and the machine codes that status carries; a view lists
the codes it gives in ``error_codes`` (those common to all, 400, 401 and 429,
are added to each). ``postprocess`` writes the API's introduction.
"""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from rest_framework import serializers

from .errors import CODES

DESCRIPTION = """\
云上科普日的客户端接口：科普中国客户端和各省系统通过它完成网站上能做的一切——注册登录、填写单位信息、
发布和管理活动、打卡点赞收藏评论、查看消息——规则、限制、提示语与网站完全相同。

**Authentication.** `POST /api/v1/auth/token/` (phone and password, phone and SMS code, or a
科普中国 OpenID Connect token) answers an access token (15 minutes) and a refresh token (30 days, used
once: `POST /api/v1/auth/token/refresh/` gives the next pair). Send `Authorization: Bearer <access>`.
No cookie is read and no CSRF token is needed. Logging out, changing the password or the phone,
deleting the account and an admin's 停用 revoke every token of the account.

**Errors** share one shape: `{"code": "window_closed", "detail": "活动填报已于2020年9月25日截止",
"fields": {}}` — `code` is stable for programs, `detail` is the sentence the site shows, `fields`
holds each field's messages (422), `retry_after` the seconds to wait (429 and 503, also
`Retry-After`). `503 unavailable` means the platform is away for a moment (the database restarting,
the disk full): send the same request again after `retry_after` seconds, a few times. A write sent
again is not done twice (a submission carries its `creation_token`, 点赞 and 收藏 set a state, 打卡 and
a comment repeated are the first one).

**Limits.** {per_account} requests a minute per signed-in account and {per_address} per client
address (the public reads — the list, an activity, the campaign, the directory — count no
visitor, as the pages do); SMS codes (one per 60 s, 5 an hour and 10 a day per phone, 20 an hour per
address) and failed logins (5 in 15 minutes lock the phone for 15 minutes) are counted with the site's, in
the same store.

**Lists** are paged by cursor: follow `next` until it is null. **Public reads** carry an `ETag`;
send it back as `If-None-Match` to get `304 Not Modified`.

**Versions.** v1 stays compatible: fields and codes may be added, none is renamed or removed. A
breaking change goes to `/api/v2/`; v1 then answers with `Deprecation` and `Sunset` headers for at
least six months before it is turned off.
"""


class ErrorSerializer(serializers.Serializer):
    """The shape of every error answer (``api.errors``)."""

    code = serializers.ChoiceField(choices=sorted(CODES), help_text="机器可读的错误代码")
    detail = serializers.CharField(help_text="与网站相同的中文提示")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text="各字段的错误提示（422）"
    )
    retry_after = serializers.IntegerField(required=False, help_text="需等待的秒数（429、503）")

    class Meta:
        ref_name = "Error"


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "访问令牌（kpa_…），由 /api/v1/auth/token/ 签发，有效期 15 分钟",
        }


WRITES = ("POST", "PUT", "PATCH", "DELETE")


class AutoSchema(BaseAutoSchema):
    def _codes(self) -> set[str]:
        # parse_error: any query with a NUL; unavailable: the database restarting, the disk full.
        codes = {"parse_error", "token_invalid", "rate_limited", "unavailable"}
        if self.method in WRITES or self._has_query():
            codes |= {"invalid"}
        if self.method in WRITES:
            codes |= {"unsupported_media_type"}
        if "{" in self.path:
            codes.add("not_found")
        if any(p.__class__.__name__ == "IsAuthenticated" for p in self.view.get_permissions()):
            codes.add("not_authenticated")
        codes |= set(getattr(self.view, "error_codes", ()))
        return codes

    def _has_query(self) -> bool:
        return bool(
            getattr(self.view, "query_serializer", None) or getattr(self.view, "pagination_class", None)
        )

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        error = self._get_response_for_code(ErrorSerializer, "400", direction=direction)
        by_status: dict[int, list[str]] = {}
        for code in sorted(self._codes()):
            by_status.setdefault(CODES[code][0], []).append(code)
        for status, codes in sorted(by_status.items()):
            lines = "; ".join(f"`{code}` {CODES[code][1]}" for code in codes)
            responses[str(status)] = {**error, "description": lines}
        if getattr(self.view, "etag", False) and self.method == "GET":
            responses["304"] = {"description": "未修改（If-None-Match 与 ETag 相同）"}
        return responses


def postprocess(result, generator, request, public):
    """The introduction, with the limits as configured."""
    result["info"]["description"] = DESCRIPTION.replace(
        "{per_account}", str(settings.API_RATE_PER_ACCOUNT)
    ).replace("{per_address}", str(settings.API_RATE_PER_ADDRESS))
    return result
