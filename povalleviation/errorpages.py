"""The 403 and 404 pages. Each refusal of a signed-in user is recorded in the audit trail (as "denied") by
``RequestContextMiddleware`` once the response is made; the pages pass it the message shown."""
from django.shortcuts import render

from povalleviation.request_context import note_refusal


def permission_denied(request, exception=None):
    message = str(exception) if exception else ""
    note_refusal(request, message or "您没有访问此页面的权限。")
    return render(request, "403.html", {"message": message}, status=403)


def page_not_found(request, exception=None):
    note_refusal(request, "未找到，或不在您的工作区域内。")
    return render(request, "404.html", status=404)
