"""The figures of a quarterly report, computed once as of the quarter's last day (DOMAIN.md §6.3).

``build_snapshot(area=…, year=…, quarter=…, progress=callable)`` returns a JSON-safe dict; the PDF is rendered
from it alone, and ``snapshot_digest`` gives the SHA-256 of its canonical JSON. Every section reads dated
history only (status changes, member history, allocations and payments dated on or before the day …), and
fields that are edited in place are read as of the day through ``accounts.history`` (value of F as of D =
the old value of the earliest change of F made after D, else the current value): members' 低保/特困 flags and
labour capacity, vouchers' review status, project budgets, draft plan figures and plan bases, villages'
designation and exit date, and households' eligibility conclusions (with ``first_computed_at``); plan versions
and policy parameters keep their own dated versions. So building the same quarter again later gives the same
dict — except section 13 数据质量 (``quality``), whose checks read current fields and are computed at
generation time, as the PDF states. One module per section group.
"""
from django.utils import timezone

from povalleviation.digests import COMPACT_STRICT, json_sha256
from villages.choices import AreaLevel

from .common import child_areas, child_level, plain, quarter_bounds
from .conditions import conditions_section
from .dibao import dibao_section
from .eligibility import eligibility_section
from .funds import fund_section
from .helper_coverage import helpers_section
from .oversight import oversight_section
from .plan_years import plan_years_section
from .plans import plan_section
from .population import population_section
from .projects import project_section
from .quality import quality_section

SNAPSHOT_FORMAT = 2
LEVEL_LABELS = dict(AreaLevel.choices)


def snapshot_digest(snapshot: dict) -> str:
    """SHA-256 of the snapshot's canonical JSON, as stored in ``QuarterlyReport.snapshot_sha256`` (the form
    may never change: stored digests are compared with recomputed ones)."""
    return json_sha256(snapshot, COMPACT_STRICT)


def _summary(snapshot: dict) -> dict:
    population, plans, funds, projects = (snapshot[k] for k in ("population", "plans", "funds", "projects"))
    total = population["total"]
    return {
        "households": total["households"], "persons": total["persons"], "incidence": total["incidence"],
        "population": total["population"], "identified": total["identified"], "exited": total["exited"],
        "returned": total["returned"], "removed": total["removed"],
        "plan_households": plans["total"]["planned_households"], "actual_households": plans["total"]["actual_households"],
        "plan_persons": plans["total"]["planned_persons"], "actual_persons": plans["total"]["actual_persons"],
        "completion_persons": plans["total"]["completion_persons"],
        "allocated": funds["total"]["allocated"], "disbursed": funds["total"]["disbursed"],
        "spend_ratio": funds["total"]["ratio"], "spend_target": funds["total"]["target"],
        "projects": projects["total"]["count"], "projects_completed_quarter": projects["quarter"]["completed"],
    }


def build_snapshot(*, area, year: int, quarter: int, progress=None, today=None) -> dict:
    """All sections for the area and quarter; ``progress(percent, message)`` is called between sections;
    ``today`` is the generation date for the 数据质量 section (default: the local date)."""
    start, end = quarter_bounds(year, quarter)
    level = child_level(area)
    step = progress or (lambda percent, message: None)
    snapshot = {
        "format": SNAPSHOT_FORMAT,
        "meta": {"area_code": area.code, "area_name": area.name, "area_level": area.level,
                 "area_level_label": LEVEL_LABELS[area.level], "child_level": level,
                 "child_level_label": LEVEL_LABELS[level], "year": year, "quarter": quarter,
                 "start": start.isoformat(), "as_of": end.isoformat()},
        "children": child_areas(area),
    }
    step(10, "统计贫困人口与贫困发生率")
    snapshot["population"] = population_section(area=area, start=start, end=end, child_level=level)
    step(25, "统计年度脱贫计划完成情况")
    snapshot["plans"] = plan_section(area=area, end=end, child_level=level)
    snapshot["plans"]["since_base"] = plan_years_section(area=area, end=end)
    step(35, "统计脱贫标准评估结果")
    stock = {row["code"]: row["households"] for row in snapshot["population"]["rows"]}
    snapshot["eligibility"] = eligibility_section(area=area, end=end, child_level=level, stock_by_child=stock)
    step(45, "统计项目进展")
    snapshot["projects"] = project_section(area=area, start=start, end=end, child_level=level)
    step(55, "统计资金下达与支出进度")
    snapshot["funds"] = fund_section(area=area, end=end, child_level=level)
    step(62, "低保与建档立卡比对")
    snapshot["dibao"] = dibao_section(area=area, end=end, child_level=level)
    step(68, "统计督查整改与投诉办理")
    snapshot["oversight"] = oversight_section(area=area, start=start, end=end)
    step(70, "统计两不愁三保障")
    snapshot["conditions"] = conditions_section(area=area, end=end, child_level=level)
    step(72, "统计帮扶力量与走访")
    snapshot["helpers"] = helpers_section(area=area, start=start, end=end, child_level=level)
    step(74, "数据质量检查")
    snapshot["quality"] = quality_section(area=area, today=today or timezone.localdate(), child_level=level)
    snapshot = plain(snapshot)
    snapshot["summary"] = _summary(snapshot)
    return snapshot
