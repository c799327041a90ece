"""Scoped reads of the ledgers for pages and the API (current state; the as-of figures are in ``summary``)."""
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from povalleviation.access import Capability
from villages.codes import area_prefix

from ..choices import NOT_REPLIED_STATUSES, OPEN_ITEM_STATUSES, ItemStatus
from ..models import (
    Complaint,
    ComplaintHistory,
    Escalation,
    Finding,
    Inspection,
    ProgressNote,
    RectificationHistory,
    RectificationItem,
)


def _area_filter(queryset, code: str, path: str = "area_code"):
    if code and code.isdigit() and len(code) in (12, 15):
        return queryset.filter(**{f"{path}__startswith": area_prefix(code)})
    return queryset


def overdue_items_q(today=None) -> Q:
    return Q(status__in=OPEN_ITEM_STATUSES, deadline__lt=today or timezone.localdate())


def item_list(*, user, params=None):
    """Items the user may see; filters ``source``, ``category``, ``status``, ``area`` (code), ``overdue`` ("1"),
    ``inspection`` (id)."""
    params = params or {}
    queryset = (RectificationItem.objects.visible_to(user, Capability.INSPECTION_VIEW)
                .select_related("area", "finding__inspection"))
    if params.get("source"):
        queryset = queryset.filter(finding__inspection__source_kind=params["source"])
    if params.get("category"):
        queryset = queryset.filter(finding__category=params["category"])
    if params.get("status"):
        queryset = queryset.filter(status=params["status"])
    if params.get("overdue") == "1":
        queryset = queryset.filter(overdue_items_q())
    if str(params.get("inspection", "")).isdigit():
        queryset = queryset.filter(finding__inspection_id=int(params["inspection"]))
    queryset = _area_filter(queryset, params.get("area", ""))
    return queryset.order_by("deadline", "id")


def category_status_matrix(queryset) -> dict:
    """Counts by 大类 × status of a ledger queryset (one grouped query), with row totals and overdue counts.

    Returns ``{"statuses": [(value, label)], "rows": [{"category", "counts": [int per status], "total", "overdue"}],
    "totals": {"counts": [...], "total": int, "overdue": int}}``.
    """
    today = timezone.localdate()
    grouped = (queryset.order_by().values("finding__category", "status")
               .annotate(n=Count("id"), late=Count("id", filter=overdue_items_q(today))))
    by_category: dict[str, dict] = {}
    for row in grouped:
        entry = by_category.setdefault(row["finding__category"], {"counts": {}, "overdue": 0})
        entry["counts"][row["status"]] = row["n"]
        entry["overdue"] += row["late"]
    statuses = ItemStatus.choices
    rows = [{"category": category, "counts": [entry["counts"].get(value, 0) for value, _ in statuses],
             "total": sum(entry["counts"].values()), "overdue": entry["overdue"]}
            for category, entry in sorted(by_category.items())]
    totals = {"counts": [sum(r["counts"][i] for r in rows) for i in range(len(statuses))],
              "total": sum(r["total"] for r in rows), "overdue": sum(r["overdue"] for r in rows)}
    return {"statuses": statuses, "rows": rows, "totals": totals}


def item_categories(*, user) -> list[str]:
    return list(Finding.objects.visible_to(user, Capability.INSPECTION_VIEW).order_by("category")
                .values_list("category", flat=True).distinct())


def item_detail(*, user, pk: int) -> RectificationItem:
    """One item with its inspection, notes, history and escalations; outside the user's scope → 404."""
    queryset = (RectificationItem.objects.visible_to(user, Capability.INSPECTION_VIEW)
                .select_related("area", "finding__inspection__issuer_area", "finding__inspection__area",
                                "submitted_by", "verified_by")
                .prefetch_related(Prefetch("history", RectificationHistory.objects.select_related("actor")),
                                  Prefetch("progress_notes", ProgressNote.objects.select_related("author")),
                                  Prefetch("escalations", Escalation.objects.select_related("actor"))))
    return get_object_or_404(queryset, pk=pk)


def inspection_list(*, user):
    return (Inspection.objects.visible_to(user, Capability.INSPECTION_VIEW).select_related("area", "issuer_area")
            .annotate(item_count=Count("findings__items"),
                      closed_count=Count("findings__items", filter=Q(findings__items__status=ItemStatus.CLOSED)))
            .order_by("-feedback_on", "-id"))


def inspection_detail(*, user, pk: int) -> Inspection:
    queryset = (Inspection.objects.visible_to(user, Capability.INSPECTION_VIEW)
                .select_related("area", "issuer_area", "created_by")
                .prefetch_related(Prefetch("findings", Finding.objects.prefetch_related(
                    Prefetch("items", RectificationItem.objects.select_related("area").order_by("id"))))))
    return get_object_or_404(queryset, pk=pk)


def complaint_list(*, user, params=None):
    """Complaints the user may see; filters ``channel``, ``status``, ``area`` (code), ``overdue`` ("1")."""
    params = params or {}
    queryset = Complaint.objects.visible_to(user, Capability.COMPLAINT_VIEW).select_related("area")
    if params.get("channel"):
        queryset = queryset.filter(channel=params["channel"])
    if params.get("status"):
        queryset = queryset.filter(status=params["status"])
    if params.get("overdue") == "1":
        queryset = queryset.filter(status__in=NOT_REPLIED_STATUSES, reply_deadline__lt=timezone.localdate())
    queryset = _area_filter(queryset, params.get("area", ""))
    return queryset.order_by("-received_at", "-id")


def complaint_detail(*, user, pk: int) -> Complaint:
    queryset = (Complaint.objects.visible_to(user, Capability.COMPLAINT_VIEW)
                .select_related("area", "household", "received_by")
                .prefetch_related(Prefetch("history", ComplaintHistory.objects.select_related("actor"))))
    return get_object_or_404(queryset, pk=pk)
