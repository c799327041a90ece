"""As-of figures of the 问题整改台账 and the complaint ledger for the quarterly report (DOMAIN.md §6.2
"Rectification progress", §6.3 section 11).

Nothing here reads an item's or a complaint's current ``status``/``deadline``: the state on day D is the last
history row recorded before the end of D (local time), so figures for a past date do not move when items are
verified, closed, reopened or re-dated later. Each function is a fixed number of aggregate queries.
"""
import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from villages.codes import area_prefix

from ..choices import (
    OPEN_ITEM_STATUSES,
    ComplaintChannel,
    ComplaintStatus,
    ItemStatus,
    SourceKind,
)
from ..models import Complaint, ComplaintHistory, Escalation, RectificationHistory, RectificationItem

HUNDRED = Decimal(100)


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first instant after ``day`` in the installation's time zone (history rows before it count)."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def _rate(closed: int, total: int) -> Decimal:
    if not total:
        return Decimal("0.00")
    return (Decimal(closed) * HUNDRED / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def items_as_of(*, area_code: str, as_of: datetime.date):
    """Items under the area that existed at the end of ``as_of``, annotated ``status_at`` and ``deadline_at``."""
    end = end_of_day(as_of)
    last = RectificationHistory.objects.filter(item=OuterRef("pk"), at__lt=end).order_by("-at", "-id")
    return (RectificationItem.objects.filter(area_code__startswith=area_prefix(area_code), created_at__lt=end)
            .annotate(status_at=Subquery(last.values("to_status")[:1]),
                      deadline_at=Subquery(last.values("deadline")[:1]))
            .filter(status_at__isnull=False))


def _item_counts(as_of, since):
    is_open = Q(status_at__in=OPEN_ITEM_STATUSES)
    counts = {
        "total": Count("id"),
        "closed": Count("id", filter=Q(status_at=ItemStatus.CLOSED)),
        "in_progress": Count("id", filter=is_open),
        "overdue": Count("id", filter=is_open & Q(deadline_at__lt=as_of)),
    }
    if since is not None:
        counts["new_since"] = Count("id", filter=Q(created_at__gte=end_of_day(since - datetime.timedelta(days=1))))
    return counts


def _item_row(values: dict, since, escalations: int) -> dict:
    row = {key: int(values.get(key) or 0) for key in ("total", "closed", "in_progress", "overdue")}
    row["new_since"] = int(values.get("new_since") or 0) if since is not None else row["total"]
    row["closure_rate"] = _rate(row["closed"], row["total"])
    row["escalations"] = escalations
    return row


def rectification_summary(*, area_code: str, as_of: datetime.date, since: datetime.date | None = None) -> dict:
    """Rectification progress under the area with code ``area_code`` at the end of ``as_of``.

    Returns (all values JSON-safe except the Decimal ``closure_rate``; dates as ISO strings)::

        {
          "area_code": str, "as_of": "YYYY-MM-DD", "since": "YYYY-MM-DD" | None,
          "totals": ROW,
          "by_source": [ROW + {"source_kind": str, "label": str}, …]   # only kinds with items, in SourceKind order
          "by_category": [ROW + {"category": str}, …]                  # 大类 names, sorted by name
          "by_status": {status value: int for every ItemStatus},      # as of the date
          "overdue_items": [{"id": int, "area_code": str, "area_name": str, "title": str,
                             "responsible_unit": str, "deadline": "YYYY-MM-DD", "days_overdue": int}, …],
        }
        ROW = {"total", "closed", "in_progress", "overdue", "new_since", "escalations": int,
               "closure_rate": Decimal (percent, 2 places; 0.00 when total is 0)}

    ``total``: items created by the end of ``as_of``; ``closed``: in state 销号 (CLOSED) then; ``in_progress``:
    every other state (not yet closed); ``overdue``: not closed and 整改时限 (as in force then) before ``as_of``;
    ``new_since``: created on or after ``since`` (equals ``total`` when ``since`` is None); ``escalations``: 约谈
    and 通报 dated on or before ``as_of`` on those items. ``overdue_items`` is ordered by deadline, then id.
    """
    items = items_as_of(area_code=area_code, as_of=as_of)
    counts = _item_counts(as_of, since)
    escalations = Escalation.objects.filter(item__in=items.values("pk"), escalated_on__lte=as_of)
    escalated_total = escalations.count()
    by_source_escalations = dict(escalations.values("item__finding__inspection__source_kind").annotate(n=Count("id"))
                                 .order_by().values_list("item__finding__inspection__source_kind", "n"))
    by_category_escalations = dict(escalations.values("item__finding__category").annotate(n=Count("id"))
                                   .order_by().values_list("item__finding__category", "n"))
    totals = items.aggregate(**counts)
    by_source = {row["finding__inspection__source_kind"]: row for row in
                 items.values("finding__inspection__source_kind").annotate(**counts).order_by()}
    by_category = items.values("finding__category").annotate(**counts).order_by("finding__category")
    by_status = dict(items.values("status_at").annotate(n=Count("id")).order_by().values_list("status_at", "n"))
    overdue = (items.filter(status_at__in=OPEN_ITEM_STATUSES, deadline_at__lt=as_of)
               .order_by("deadline_at", "id")
               .values("id", "area_code", "area__name", "problem", "responsible_unit", "deadline_at"))
    return {
        "area_code": area_code,
        "as_of": as_of.isoformat(),
        "since": since.isoformat() if since else None,
        "totals": _item_row(totals, since, escalated_total),
        "by_source": [
            {"source_kind": kind, "label": label} | _item_row(by_source[kind], since, by_source_escalations.get(kind, 0))
            for kind, label in SourceKind.choices if kind in by_source
        ],
        "by_category": [
            {"category": row["finding__category"]}
            | _item_row(row, since, by_category_escalations.get(row["finding__category"], 0))
            for row in by_category
        ],
        "by_status": {status: int(by_status.get(status, 0)) for status in ItemStatus.values},
        "overdue_items": [
            {"id": row["id"], "area_code": row["area_code"], "area_name": row["area__name"],
             "title": (row["problem"].splitlines() or [""])[0][:80], "responsible_unit": row["responsible_unit"],
             "deadline": row["deadline_at"].isoformat(), "days_overdue": (as_of - row["deadline_at"]).days}
            for row in overdue
        ],
    }


def complaints_as_of(*, area_code: str, as_of: datetime.date):
    """Complaints received by the end of ``as_of`` whose handling area then lay under the area, annotated
    ``status_at``, ``deadline_at``, ``area_at`` and ``replied_at_then`` (reply time if replied by then)."""
    end = end_of_day(as_of)
    prefix = area_prefix(area_code)
    last = ComplaintHistory.objects.filter(complaint=OuterRef("pk"), at__lt=end).order_by("-at", "-id")
    replied = ComplaintHistory.objects.filter(complaint=OuterRef("pk"), at__lt=end, to_status=ComplaintStatus.REPLIED)
    # A complaint only moves down the tree, so its current area is inside every area it was ever in.
    return (Complaint.objects.filter(area_code__startswith=prefix, received_at__lt=end)
            .annotate(status_at=Subquery(last.values("to_status")[:1]),
                      deadline_at=Subquery(last.values("reply_deadline")[:1]),
                      area_at=Subquery(last.values("area_code")[:1]),
                      replied_at_then=Subquery(replied.order_by("at", "id").values("at")[:1]))
            .filter(status_at__isnull=False, area_at__startswith=prefix))


def complaint_summary(*, area_code: str, as_of: datetime.date, since: datetime.date | None = None) -> dict:
    """Complaints and petitions under the area with code ``area_code`` at the end of ``as_of``.

    Returns (JSON-safe except Decimal ``average_days_to_reply``)::

        {
          "area_code": str, "as_of": "YYYY-MM-DD", "since": "YYYY-MM-DD" | None,
          "received": {"total": int, "since": int},
          "by_channel": [{"channel": str, "label": str, "received": int, "received_since": int,
                          "replied": int, "closed": int, "overdue": int}, …],   # channels with complaints only
          "by_status": {status value: int for every ComplaintStatus},           # as of the date
          "overdue": int, "replied": int, "closed": int,
          "average_days_to_reply": Decimal (2 places) | None,
        }

    ``received.total``: received by the end of ``as_of``; ``received.since`` (and ``received_since``): received on
    or after ``since`` (equals the total when ``since`` is None); ``overdue``: not yet replied at ``as_of`` and the
    reply deadline then in force is before ``as_of``; ``replied``: replied or closed by then; ``closed``: 办结;
    ``average_days_to_reply``: mean of (reply date − receipt date) in local calendar days over complaints replied by
    ``as_of`` (None when none was).
    """
    rows = complaints_as_of(area_code=area_code, as_of=as_of)
    not_replied = Q(status_at__in=[ComplaintStatus.RECEIVED, ComplaintStatus.ASSIGNED, ComplaintStatus.HANDLING])
    new = Q(received_at__gte=end_of_day(since - datetime.timedelta(days=1))) if since else Q()
    counts = {
        "received": Count("id"),
        "received_since": Count("id", filter=new),
        "replied": Count("id", filter=Q(replied_at_then__isnull=False)),
        "closed": Count("id", filter=Q(status_at=ComplaintStatus.CLOSED)),
        "overdue": Count("id", filter=not_replied & Q(deadline_at__lt=as_of)),
    }
    totals = rows.aggregate(**counts)
    by_channel = {row["channel"]: row for row in rows.values("channel").annotate(**counts).order_by()}
    by_status = dict(rows.values("status_at").annotate(n=Count("id")).order_by().values_list("status_at", "n"))
    tz = timezone.get_current_timezone()
    mean = (rows.filter(replied_at_then__isnull=False)
            .annotate(received_day=TruncDate("received_at", tzinfo=tz), replied_day=TruncDate("replied_at_then", tzinfo=tz))
            .aggregate(mean=Avg(F("replied_day") - F("received_day")))["mean"])
    average = None
    if mean is not None:
        average = (Decimal(mean.total_seconds()) / Decimal(86400)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {
        "area_code": area_code,
        "as_of": as_of.isoformat(),
        "since": since.isoformat() if since else None,
        "received": {"total": int(totals["received"] or 0), "since": int(totals["received_since"] or 0)},
        "by_channel": [
            {"channel": channel, "label": label} | {key: int(by_channel[channel][key] or 0) for key in counts}
            for channel, label in ComplaintChannel.choices if channel in by_channel
        ],
        "by_status": {status: int(by_status.get(status, 0)) for status in ComplaintStatus.values},
        "overdue": int(totals["overdue"] or 0),
        "replied": int(totals["replied"] or 0),
        "closed": int(totals["closed"] or 0),
        "average_days_to_reply": average,
    }
