"""One error shape for every answer of the API that is not a success.

    {"code": "window_closed", "detail": "活动填报已于2020年9月25日截止", "fields": {}}

- ``code``: a stable machine code (``CODES``), for programs; new codes may be
  added in v1, none is renamed or removed;
- ``detail``: the same Chinese sentence the site shows for the same refusal;
- ``fields``: for 422, each field's messages, under the request's field names;
- ``retry_after``: for 429 and 503 (and the ``Retry-After`` header), seconds to wait.

A refusal of a service (``kepuri.errors.Refusal``) keeps its code and message;
REST framework's own exceptions (authentication, parsing, throttling, a body
of the wrong shape) are given ours.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from activities.services import IncompleteReport
from kepuri.errors import Refusal, error_body, unavailable

NOT_FOUND = "您访问的内容不存在或已删除"
LOG_IN_FIRST = "请先登录"

# Every machine code, its HTTP status and what it means (the schema lists them).
CODES: dict[str, tuple[int, str]] = {
    "parse_error": (400, "请求内容不是有效的 JSON 或表单，或查询参数含有空字符"),
    "not_authenticated": (401, "未提供访问令牌"),
    "token_invalid": (401, "访问令牌或刷新令牌无效、过期或已吊销"),
    "token_reused": (401, "刷新令牌已使用过：同一次登录的令牌均已吊销"),
    "invalid_credentials": (401, "手机号码或密码错误"),
    "permission_denied": (403, "当前账号无权进行该操作"),
    "account_disabled": (403, "账号已停用"),
    "window_not_open": (403, "该操作的时间窗口尚未开放"),
    "window_closed": (403, "该操作的截止时间已过"),
    "not_found": (404, "不存在、已删除，或不属于当前账号"),
    "under_review": (404, "活动审核中，审核通过后公开"),
    "method_not_allowed": (405, "不支持该请求方法"),
    "not_acceptable": (406, "无法提供所要求的内容类型"),
    "already_registered": (409, "该手机号已注册"),
    "not_registered": (409, "该手机号尚未注册"),
    "phone_taken": (409, "该手机号已被其他账号使用或绑定"),
    "organization_required": (409, "请先填写单位信息"),
    "no_campaign": (409, "当前没有开放填报的科普日活动"),
    "pending_review": (409, "活动待审核，审核结果出来前不能编辑"),
    "change_pending": (409, "修改待审核，审核结果出来前不能再编辑"),
    "approved_no_draft": (409, "已通过审核的活动不能暂存，只能提交修改"),
    "not_submitted": (409, "活动尚未提交"),
    "not_approved": (409, "活动尚未审核通过"),
    "locked": (409, "已提交，不可修改（补充活动信息、活动总结）"),
    "already_checked_in": (409, "已打卡"),
    "refused": (409, "当前状态下不能进行该操作"),
    "unsupported_media_type": (415, "不支持的请求内容类型"),
    "invalid": (422, "输入有误，见 fields"),
    "incomplete": (422, "活动信息不完整，见 fields"),
    "empty_supplement": (422, "补充活动信息至少需要一张图片或一个链接"),
    "code_invalid": (422, "验证码错误、过期、已使用或未获取"),
    "consent_required": (422, "新用户须同意《云上科普日网络服务使用协议》"),
    "rate_limited": (429, "请求过于频繁，retry_after 秒后再试"),
    "login_locked": (429, "登录失败次数过多，手机号已锁定，retry_after 秒后再试"),
    "sms_unavailable": (503, "短信服务暂时不可用"),
    "sso_unavailable": (503, "科普中国账号服务暂时无法访问"),
    "unavailable": (503, "服务暂时不可用（数据库重启、存储空间不足）：retry_after 秒后再试"),
}


class ApiError(exceptions.APIException):
    """An answer of our shape raised from a view: ``raise ApiError("not_found", NOT_FOUND)``."""

    def __init__(self, code: str, detail: str, *, fields: dict | None = None, retry_after: int | None = None):
        self.status_code = CODES[code][0]
        self.code, self.message, self.fields, self.retry_after = code, detail, fields or {}, retry_after
        super().__init__(detail, code)


def invalid(fields: dict[str, list[str]], detail: str = "") -> ApiError:
    """A 422 naming each field's messages; ``detail`` defaults to the first message."""
    first = next((messages[0] for messages in fields.values() if messages), "输入有误")
    return ApiError("invalid", detail or first, fields=fields)


def form_invalid(form, *, rename: dict[str, str] | None = None) -> ApiError:
    """The site's form refused the input: its messages, under the API's field names.

    Errors not bound to a field (``__all__``) become ``detail``; the field errors
    keep their own names unless ``rename`` says how the API calls them.
    """
    rename = rename or {}
    fields, general = {}, []
    for name, errors in form.errors.items():
        messages = [str(message) for message in errors]
        if name == "__all__":
            general.extend(messages)
        else:
            fields.setdefault(rename.get(name, name), []).extend(messages)
    detail = general[0] if general else next((m[0] for m in fields.values()), "输入有误")
    return ApiError("invalid", detail, fields=fields)


def _flatten(detail, prefix="") -> dict[str, list[str]]:
    """REST framework's nested error details as ``{"field": [...], "list.0": [...]}``."""
    if isinstance(detail, dict):
        flat = {}
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            flat.update(_flatten(value, f"{prefix}.{name}" if prefix and name else prefix or name))
        return flat
    if isinstance(detail, list) and detail and all(isinstance(item, str) for item in detail):
        return {prefix: [str(item) for item in detail]}
    if isinstance(detail, list):
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix: [str(detail)]}


def _translate(exc) -> ApiError | None:
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, IncompleteReport):
        return ApiError("incomplete", exc.message, fields={k: [v] for k, v in exc.problems.items()})
    if isinstance(exc, Refusal):
        code = exc.code if exc.code in CODES else "refused"
        return ApiError(code, exc.message, retry_after=exc.retry_after)
    if isinstance(exc, Http404 | exceptions.NotFound):
        return ApiError("not_found", NOT_FOUND)
    if isinstance(exc, PermissionDenied | exceptions.PermissionDenied):
        return ApiError("permission_denied", "当前账号无权进行该操作")
    if isinstance(exc, exceptions.NotAuthenticated):
        return ApiError("not_authenticated", LOG_IN_FIRST)
    if isinstance(exc, exceptions.AuthenticationFailed):
        return ApiError("token_invalid", str(exc.detail))
    if isinstance(exc, exceptions.Throttled):
        wait = max(1, int(exc.wait or 1))
        return ApiError("rate_limited", f"请求过于频繁，请 {wait} 秒后再试", retry_after=wait)
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        general = fields.pop("", [])
        return invalid(fields, general[0] if general else "")
    if isinstance(exc, exceptions.MethodNotAllowed):
        return ApiError("method_not_allowed", "不支持该请求方法")
    if isinstance(exc, exceptions.ParseError):
        return ApiError("parse_error", "请求内容格式有误，请发送 JSON 或表单")
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return ApiError("unsupported_media_type", "不支持的请求内容类型，请发送 JSON 或表单")
    if isinstance(exc, exceptions.NotAcceptable):
        return ApiError("not_acceptable", "无法提供所要求的内容类型，请接受 application/json")
    if problem := unavailable(exc):
        return ApiError(problem.code, problem.message, retry_after=problem.retry_after)
    return None


def body(error: ApiError) -> dict:
    return error_body(error.code, error.message, fields=error.fields, retry_after=error.retry_after)


def exception_handler(exc, context):
    """REST framework's hook: every exception a view raises, as our shape (None: a real 500)."""
    error = _translate(exc)
    if error is None:
        return None
    set_rollback()
    response = Response(body(error), status=error.status_code)
    if error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    if error.status_code == status.HTTP_401_UNAUTHORIZED:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
