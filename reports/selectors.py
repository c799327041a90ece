"""Reads of quarterly reports, always scoped to the user (``report.view``)."""
from django.shortcuts import get_object_or_404

from povalleviation.access import Capability
from villages.choices import PREFIX_LENGTH, AreaLevel, level_of_code
from villages.models import Area

from .models import QuarterlyReport, ReportStatus

REPORT_LEVELS = [AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWNSHIP]


def filter_reports(queryset, params):
    area = (params.get("area") or "").strip()
    if area.isdigit():
        level = level_of_code(area)
        queryset = queryset.filter(area_code__startswith=area[: PREFIX_LENGTH[level]] if level else area)
    if (params.get("year") or "").isdigit():
        queryset = queryset.filter(year=int(params["year"]))
    if (params.get("quarter") or "") in {"1", "2", "3", "4"}:
        queryset = queryset.filter(quarter=int(params["quarter"]))
    if params.get("status") in ReportStatus.values:
        queryset = queryset.filter(status=params["status"])
    return queryset


def report_list(*, user, params=None):
    queryset = (QuarterlyReport.objects.visible_to(user, Capability.REPORT_VIEW)
                .select_related("area", "generated_by").defer("snapshot")
                .order_by("-year", "-quarter", "area_code", "-version"))
    return filter_reports(queryset, params or {})


def report_detail(*, user, pk: int) -> QuarterlyReport:
    """404 when missing or outside the user's areas."""
    return get_object_or_404(
        QuarterlyReport.objects.visible_to(user, Capability.REPORT_VIEW).select_related(
            "area", "generated_by", "reviewed_by", "signed_by", "supersedes"), pk=pk)


def report_versions(*, report) -> list[QuarterlyReport]:
    return list(QuarterlyReport.objects.filter(area_id=report.area_id, year=report.year, quarter=report.quarter)
                .defer("snapshot").order_by("-version"))


def generatable_areas(*, user):
    return (Area.objects.visible_to(user, Capability.REPORT_GENERATE).filter(level__in=REPORT_LEVELS)
            .order_by("code"))
