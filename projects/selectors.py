"""Reads of the 项目库, scoped to the user."""
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone

from povalleviation.access import Capability

from .choices import APPROVED_STATUSES
from .models import Project, ProjectEvent, ProjectObjection, ProjectPublicity


def project_list(*, user, params=None):
    """Projects the user may see, filtered by year, status, category, area code prefix or name."""
    params = params or {}
    queryset = Project.objects.visible_to(user, Capability.PROJECT_VIEW).select_related("area")
    if params.get("year", "").isdigit():
        queryset = queryset.filter(year=int(params["year"]))
    if params.get("status"):
        queryset = queryset.filter(status=params["status"])
    if params.get("category"):
        queryset = queryset.filter(category=params["category"])
    if params.get("area", "").isdigit():
        queryset = queryset.filter(area_code__startswith=params["area"].rstrip("0") or params["area"])
    if params.get("q"):
        queryset = queryset.filter(name__icontains=params["q"])
    return queryset.order_by("-year", "area_code", "number")


def project_detail(*, user, pk: int) -> Project:
    """One project with its budget, fundings, vouchers, beneficiaries, events and 公示; outside scope → 404."""
    # Fundings and vouchers are the fund ledger's rows (``funds``, an app above this one): reached through their
    # reverse relations by name, in the ledger's own order, without importing it.
    queryset = Project.objects.visible_to(user, Capability.PROJECT_VIEW).select_related("area", "area__parent").prefetch_related(
        "budget_lines__source",
        "fundings__allocation__source", "fundings__allocation__area",
        "disbursements__source",
        "beneficiaries__household",
        Prefetch("events", queryset=ProjectEvent.objects.select_related("actor")),
        Prefetch("publicities", queryset=ProjectPublicity.objects.prefetch_related(
            Prefetch("objections", queryset=ProjectObjection.objects.order_by("received_on", "id")))),
    )
    return get_object_or_404(queryset, pk=pk)


def public_publicities(*, area):
    """Published 公示 of approved projects in the area (no login): frozen content snapshots only."""
    return (ProjectPublicity.objects.filter(project__area_code__startswith=area.scope_prefix,
                                            project__status__in=APPROVED_STATUSES,
                                            published_on__lte=timezone.localdate())
            .order_by("-published_on", "project__area_code", "id")
            .only("kind", "published_on", "ends_on", "location", "content", "project_id"))
