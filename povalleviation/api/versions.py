"""Optimistic locking on the API: every update names the version it read.

Clients read ``version`` (and the ``ETag: W/"<version>"`` header) from a detail GET and send it back with the
update, as ``If-Match: W/"<version>"`` or the ``version`` field of the body. No version → 428; the services
compare it with the row they lock and raise ``Conflict`` (409) naming who changed what since.
"""
import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from povalleviation.errors import ApplicationError, Conflict

VERSION_REQUIRED = "请提供所读取记录的版本（version 字段或 If-Match 头），以免覆盖他人的修改。"
BAD_VERSION = "版本号无效：If-Match 应为读取时返回的 ETag，如 W/\"3\"；version 应为整数。"


class PreconditionRequired(ApplicationError):
    """An update without the version it read (RFC 6585 428)."""

    status_code = 428
    code = "version_required"


def etag(version: int) -> str:
    return f'W/"{int(version)}"'


def _from_if_match(header: str) -> int:
    match = re.fullmatch(r'\s*(?:W/)?"?(\d+)"?\s*', header)
    if match is None:
        raise ApplicationError(BAD_VERSION, field_errors={"version": BAD_VERSION}, code="invalid_version")
    return int(match.group(1))


def expected_version(request, data: dict | None = None) -> int:
    """The version the client read: ``If-Match`` wins over the body's ``version``; neither → 428.

    ``data`` is the validated body; its ``version`` key is removed (it is not a field to save).
    """
    body_version = data.pop("version", None) if data is not None else request.data.get("version")
    header = request.headers.get("If-Match", "").strip()
    if header and header != "*":
        return _from_if_match(header)
    if body_version in (None, ""):
        raise PreconditionRequired(VERSION_REQUIRED, field_errors={"version": VERSION_REQUIRED})
    try:
        return int(body_version)
    except (TypeError, ValueError):
        raise ApplicationError(BAD_VERSION, field_errors={"version": BAD_VERSION}, code="invalid_version") from None


def with_etag(response, version: int):
    """Set ``ETag: W/"<version>"`` on a detail response (GET, or the answer to an update)."""
    response["ETag"] = etag(version)
    return response


# drf-spectacular pieces for the update endpoints: the header, and the 409 / 428 answers.
IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description='读取时返回的 ETag（如 W/"3"）。与请求体的 version 字段二选一，必须提供其一；都没有时返回 428。',
)
ETAG = OpenApiParameter(
    "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200],
    description='记录当前版本，W/"<version>"；修改时原样放入 If-Match 头',
)


class ApiErrorSerializer(serializers.Serializer):
    """The API's one error shape (``povalleviation.api.exceptions``)."""

    detail = serializers.CharField(help_text="说明（中文）")
    code = serializers.CharField(help_text="错误代码，如 stale_version、version_required")
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                   help_text="按字段的错误说明")


VERSION_RESPONSES = {
    409: OpenApiResponse(ApiErrorSerializer,
                         description="版本冲突：记录在读取后已被他人修改（说明谁在何时改了哪些内容），什么都没有保存"),
    428: OpenApiResponse(ApiErrorSerializer, description="未提供所读取记录的版本（If-Match 头或 version 字段）"),
}

__all__ = ["ApiErrorSerializer", "Conflict", "PreconditionRequired", "expected_version", "etag", "with_etag", "IF_MATCH", "ETAG", "VERSION_RESPONSES"]
