"""One error shape for the whole API: {"detail": "...", "code": "...", "errors": {field: [messages]}}."""
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from povalleviation.errors import ApplicationError


def exception_handler(exc, context):
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
    elif isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        response.data = {"detail": str(detail), "code": getattr(detail, "code", "error"), "errors": {}}
    return response
