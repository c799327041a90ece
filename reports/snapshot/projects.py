"""Section 10: projects by status and category as of the quarter's end, by child area.

A project's status on the as-of date: 验收/完结/取消 from its event history (``ProjectEvent.at`` on or before
the day); otherwise the dated fields entered with each step decide — 实际完工日期 ≤ D → 已竣工, 实际开工日期
≤ D → 实施中, 批复日期 ≤ D → 已批复 — and before approval the last event on or before D (申报, 入库 …).
Projects with neither are not yet in the library on D. Budget (``budget_total``), category and planned
finish date are the values recorded on D (``accounts.history``): a project returned and edited after D
counts with the figures it had then.
"""
import datetime
from decimal import Decimal

from django.db.models import Case, CharField, Count, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Substr

from accounts.history import day_end, value_as_of
from projects.choices import ProjectCategory, ProjectStatus
from projects.models import Project, ProjectEvent
from villages.choices import PREFIX_LENGTH

from .common import child_areas

STATUS_ORDER = [ProjectStatus.SUBMITTED, ProjectStatus.RETURNED, ProjectStatus.IN_LIBRARY, ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED, ProjectStatus.ACCEPTED, ProjectStatus.CLOSED,
                ProjectStatus.CANCELLED]
FINAL_FROM_EVENTS = [ProjectStatus.ACCEPTED, ProjectStatus.CLOSED, ProjectStatus.CANCELLED]


def projects_as_of(*, prefix: str, end: datetime.date):
    """Projects in the library on ``end`` with ``status_as_of``, ``budget_as_of``, ``category_as_of`` and
    ``planned_finish_as_of``."""
    last_event = (ProjectEvent.objects.filter(project_id=OuterRef("pk"), at__lt=day_end(end)).exclude(to_status="")
                  .order_by("-at", "-id").values("to_status")[:1])
    return (
        Project.objects.filter(area_code__startswith=prefix)
        .annotate(event_status=Subquery(last_event, output_field=CharField()),
                  budget_as_of=value_as_of(Project, "budget_total", end),
                  category_as_of=value_as_of(Project, "category", end),
                  planned_finish_as_of=value_as_of(Project, "planned_finish", end))
        .annotate(status_as_of=Case(
            When(event_status__in=FINAL_FROM_EVENTS, then="event_status"),
            When(actual_finish__lte=end, then=Value(ProjectStatus.COMPLETED)),
            When(actual_start__lte=end, then=Value(ProjectStatus.IN_PROGRESS)),
            When(approved_on__lte=end, then=Value(ProjectStatus.APPROVED)),
            default="event_status", output_field=CharField(),
        ))
        .filter(status_as_of__isnull=False).exclude(status_as_of=ProjectStatus.DRAFT)
    )


def project_section(*, area, start: datetime.date, end: datetime.date, child_level: str) -> dict:
    length = PREFIX_LENGTH[child_level]
    projects = projects_as_of(prefix=area.scope_prefix, end=end)
    by_child: dict[str, dict] = {}
    for row in (projects.annotate(group=Substr("area_code", 1, length)).values("group", "status_as_of")
                .annotate(count=Count("id"), amount=Sum("budget_as_of")).order_by()):
        cell = by_child.setdefault(row["group"].ljust(12, "0"), {})
        cell[row["status_as_of"]] = {"count": row["count"], "amount": str(row["amount"] or 0)}
    by_category: dict[str, dict] = {}
    for row in (projects.values("category_as_of", "status_as_of").annotate(count=Count("id"), amount=Sum("budget_as_of"))
                .order_by()):
        by_category.setdefault(row["category_as_of"], {})[row["status_as_of"]] = {"count": row["count"],
                                                                                  "amount": str(row["amount"] or 0)}
    quarter = projects.aggregate(
        started=Count("id", filter=Q(actual_start__gte=start, actual_start__lte=end)),
        completed=Count("id", filter=Q(actual_finish__gte=start, actual_finish__lte=end)),
        approved=Count("id", filter=Q(approved_on__gte=start, approved_on__lte=end)),
        overdue=Count("id", filter=Q(planned_finish_as_of__lt=end) & Q(status_as_of__in=[ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS])),
        total=Count("id"), amount=Sum("budget_as_of"),
    )
    statuses = list(STATUS_ORDER)
    rows = []
    for child in child_areas(area):
        cells = by_child.get(child["code"], {})
        rows.append({**child, "statuses": {s.value: cells.get(s, {"count": 0, "amount": "0"}) for s in statuses},
                     "count": sum(c["count"] for c in cells.values())})
    categories = []
    for category in ProjectCategory:
        cells = by_category.get(category.value)
        if not cells:
            continue
        categories.append({"category": category.value, "label": category.label,
                           "statuses": {s.value: cells.get(s, {"count": 0, "amount": "0"}) for s in statuses},
                           "count": sum(c["count"] for c in cells.values())})
    total_statuses = {s.value: {"count": sum(r["statuses"][s.value]["count"] for r in categories),
                                "amount": str(sum((Decimal(r["statuses"][s.value]["amount"]) for r in categories), Decimal(0)))}
                      for s in statuses}
    return {
        "status_labels": {s.value: s.label for s in statuses}, "rows": rows, "categories": categories,
        "total": {"statuses": total_statuses, "count": quarter["total"], "amount": str(quarter["amount"] or 0)},
        "quarter": {k: quarter[k] for k in ("started", "completed", "approved", "overdue")},
    }
