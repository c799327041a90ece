"""The purpose (用途) asked before a file with personal data leaves the system (export, 户卡 PDF)."""
from django.shortcuts import render

PURPOSE_MIN, PURPOSE_MAX = 2, 100


def purpose_from(params) -> str:
    """The stated purpose, or "" when missing or too short."""
    purpose = " ".join((params.get("purpose") or "").split())[:PURPOSE_MAX]
    return purpose if len(purpose) >= PURPOSE_MIN else ""


def ask_purpose(request, *, title: str, submit_label: str):
    """The form asking for the purpose, carrying the request's other parameters along."""
    hidden = [(name, value) for name, values in request.GET.lists() if name != "purpose" for value in values]
    error = "请填写用途（至少 2 个字）" if "purpose" in request.GET else ""
    return render(request, "households/export_purpose.html", {
        "title": title, "submit_label": submit_label, "action": request.path, "hidden": hidden, "error": error,
        "purpose": request.GET.get("purpose", ""),
    })
