"""Demo exit plans for the demo year (the current one, like the demo ledger): a base at the end of the
previous year and a plan for the year, for the demo county 新平县 and each of its townships, so a demo
quarterly report of this year has plan bars to compare with.

These are demo figures, not figures from the seeds (the seed tables loaded by ``load_exit_plans`` stop at
2020 and are left alone): the base is the demo households' 建档立卡 stock on 31 December of the previous
year (``poverty_stock_as_of``), each township plans to lift half of its stock households (rounded up) and
their share of persons, and every poor village not yet exited; the county plan is the townships' sum. The
``source`` and ``note`` of every row say so. Built through the plan services (approved by the installation);
loading twice changes nothing.
"""
import datetime
import math

from django.db import transaction
from django.utils import timezone

from assessments.plans.models import ExitPlan
from assessments.plans.services import exit_plan_approve, exit_plan_base_save, exit_plan_create
from households.selectors_asof import poverty_stock_as_of
from villages.choices import AreaLevel
from villages.models import Area

COUNTY_CODE = "530427000000"
DEMO_SOURCE = "演示数据（按演示户计算，非政策文件数字）"
DEMO_NOTE = "演示用计划：计划脱贫户数为上年底各乡镇建档立卡存量户数的一半（向上取整），人数按户数比例折算。"


def _unexited_poor_villages(county) -> dict[str, int]:
    """township code → poor villages under it without an exit date."""
    counts: dict[str, int] = {}
    for code in (Area.objects.filter(code__startswith=county.scope_prefix, level=AreaLevel.VILLAGE, is_poor_village=True,
                                     actual_exit_date__isnull=True).values_list("code", flat=True)):
        township = code[:9] + "000"
        counts[township] = counts.get(township, 0) + 1
    return counts


def _township_plan(stock: dict, villages: int) -> dict:
    households, persons = stock.get("households", 0), stock.get("persons", 0)
    planned = math.ceil(households / 2)
    return {"households": planned, "persons": round(persons * planned / households) if households else 0,
            "villages": villages}


@transaction.atomic
def load_demo_exit_plans(today: datetime.date | None = None) -> int:
    """Create the demo year's base and plans once; returns the number of plans created (0 when present)."""
    county = Area.objects.filter(code=COUNTY_CODE).first()
    year = (today or timezone.localdate()).year
    if county is None or ExitPlan.objects.filter(area=county, year=year).exists():
        return 0
    base_day = datetime.date(year - 1, 12, 31)
    stock = poverty_stock_as_of(area_code=county.code, as_of=base_day)
    whole = poverty_stock_as_of(area_code=county.code, as_of=base_day, group_level=county.level).get(county.code, {})
    villages = _unexited_poor_villages(county)
    exit_plan_base_save(actor=None, area=county, base_year=year - 1, end_year=year,
                        households=whole.get("households", 0), persons=whole.get("persons", 0),
                        villages=sum(villages.values()), label=f"演示：{year - 1}年底建档立卡存量（按演示户计算）",
                        source=DEMO_SOURCE)
    plans = {}
    for township in Area.objects.filter(parent=county, level=AreaLevel.TOWNSHIP).order_by("code"):
        if stock.get(township.code, {}).get("households"):
            plans[township] = _township_plan(stock[township.code], villages.get(township.code, 0))
    totals = {name: sum(plan[name] for plan in plans.values()) for name in ("households", "persons", "villages")}
    created = 0
    for area, figures in [(county, totals), *plans.items()]:
        plan = exit_plan_create(actor=None, area=area, year=year, source=DEMO_SOURCE, note=DEMO_NOTE, **figures)
        exit_plan_approve(actor=None, plan=plan)
        created += 1
    return created
