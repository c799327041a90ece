"""One error shape for the whole API: {"detail": "...", "code": "...", "errors": {field: [messages]}}.

A 403 or 404 answered to a signed-in user is a refusal: it is noted on the request and recorded in the audit
trail (as "denied") by ``RequestContextMiddleware`` after the view, outside the view's transaction.

An unexpected exception is logged with its traceback and answered 500 in the same shape, with the request id
the user can quote ({"detail": "服务器内部错误…", "code": "server_error", "errors": {}, "request_id": "…"}).
With DEBUG on it is re-raised, for Django's debug page.
"""
import logging

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from povalleviation.errorpages import SERVER_ERROR_MESSAGE
from povalleviation.errors import ApplicationError
from povalleviation.request_context import current_request_id, note_refusal

logger = logging.getLogger("povalleviation.api")


def exception_handler(exc, context):
    response = _error_response(exc, context)
    if response is None:
        return None if settings.DEBUG else _server_error(exc, context)
    if response is not None and response.status_code in (403, 404):
        request = context.get("request")
        note_refusal(getattr(request, "_request", request), response.data.get("detail", "") if isinstance(response.data, dict) else "")
    return response


def _error_response(exc, context):
    if isinstance(exc, ApplicationError):
        errors = {name: [message] if isinstance(message, str) else list(message) for name, message in exc.field_errors.items()}
        return Response({"detail": exc.message, "code": exc.code, "errors": errors}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response({"detail": "输入有误", "code": "invalid", "errors": errors}, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": "输入有误", "code": "invalid", "errors": response.data}
    elif isinstance(exc, exceptions.Throttled):
        wait = f"，请 {exc.wait:.0f} 秒后再试" if exc.wait else "，请稍后再试"
        response.data = {"detail": f"请求过于频繁{wait}。", "code": "throttled", "errors": {}}
    elif isinstance(exc, exceptions.AuthenticationFailed):
        # One message for every bad token; a token refused because its owner must change the password says so.
        if exc.get_codes() == "password_change_required":
            response.data = {"detail": str(exc.detail), "code": "password_change_required", "errors": {}}
        else:
            response.data = {"detail": "令牌无效、已过期或已吊销。", "code": "authentication_failed", "errors": {}}
    elif isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        response.data = {"detail": str(detail), "code": getattr(detail, "code", "error"), "errors": {}}
    return response


def _server_error(exc, context):
    request = context.get("request")
    view = context.get("view")
    logger.error(
        "接口未处理的异常：%s %s（%s）", getattr(request, "method", ""), getattr(request, "path", ""),
        view.__class__.__name__ if view is not None else "-", exc_info=(type(exc), exc, exc.__traceback__),
    )
    set_rollback()
    response = Response(
        {"detail": SERVER_ERROR_MESSAGE, "code": "server_error", "errors": {}, "request_id": current_request_id()},
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
    response._has_been_logged = True  # logged above, with the traceback; Django need not log it again
    return response
