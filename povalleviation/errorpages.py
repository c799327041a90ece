"""The error pages: 400, 403, 404 and 500, and their JSON form under /api/.

Each refusal of a signed-in user is recorded in the audit trail (as "denied") by ``RequestContextMiddleware``
once the response is made; the pages pass it the message shown. The 400 and 500 pages are standalone: they use
no context processor and no database, so they render whatever broke. Under /api/ every error is JSON in the
API's error shape (povalleviation.api.exceptions).
"""
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader

from povalleviation.request_context import current_request_id, note_refusal

API_PREFIX = "/api/"
SERVER_ERROR_MESSAGE = "服务器内部错误，请稍后再试；如果问题持续，请把请求编号告知系统管理员。"


def is_api_request(request) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error(detail: str, code: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code, "errors": {}, **extra}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def _standalone(template_name: str, status: int):
    body = loader.get_template(template_name).render({"request_id": current_request_id()})
    return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    if is_api_request(request):
        return api_error("请求无效。", "bad_request", 400)
    return _standalone("400.html", 400)


def permission_denied(request, exception=None):
    message = str(exception) if exception else ""
    note_refusal(request, message or "您没有访问此页面的权限。")
    if is_api_request(request):
        return api_error(message or "您没有执行该操作的权限。", "permission_denied", 403)
    return render(request, "403.html", {"message": message}, status=403)


def page_not_found(request, exception=None):
    note_refusal(request, "未找到，或不在您的工作区域内。")
    if is_api_request(request):
        return api_error("未找到。", "not_found", 404)
    return render(request, "404.html", status=404)


def server_error(request):
    if is_api_request(request):
        return api_error(SERVER_ERROR_MESSAGE, "server_error", 500, request_id=current_request_id())
    return _standalone("500.html", 500)
