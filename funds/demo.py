"""Deterministic demo ledger for the demo county 新平县 (530427): one fiscal year (the current one) of
projects, allocations by source (their 分配结果 public the day they are allocated) and vouchers paid after
the projects' 项目安排 公示 (P-FD-08), two delay attributions (P-FD-10), built through the services and
marked as demo.

Amounts and dates follow fixed sequences (no randomness). No spend target is loaded: the seeds set none
for 新平县, so the dashboard shows "无目标" (DOMAIN.md Q8).
"""
import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from households.models import Household
from households.money import yuan
from projects import services as project_services
from projects.choices import ProjectCategory, PublicityKind
from projects.models import FundSource, Project
from projects.services import fund_sources_ensure
from villages.models import Area

from .choices import DelayCause
from .delays import schedule_delay
from .services import (
    fund_allocation_create,
    fund_delay_record,
    fund_disburse,
    project_funding_assign,
)

COUNTY_CODE = "530427000000"
CATEGORIES = [ProjectCategory.INDUSTRY, ProjectCategory.INFRASTRUCTURE, ProjectCategory.HOUSING,
              ProjectCategory.EMPLOYMENT, ProjectCategory.LIVING_ENVIRONMENT, ProjectCategory.EDUCATION]
NAMES = {"industry": "特色种养殖产业", "infrastructure": "村组道路硬化", "housing": "农村危房改造",
         "employment": "扶贫车间建设", "living_environment": "人居环境提升", "education": "村小学校舍改造"}
# County allocations (source code, amount in 万元, month of 下达).
ALLOCATIONS = [("central_special", 1800, 2), ("province_special", 700, 3), ("city_special", 200, 4),
               ("county_integrated", 550, 3), ("social_paired", 120, 5)]
# Demo projects whose schedule delay is attributed (index → cause); the others show "未认定原因".
DELAY_CAUSES = {0: DelayCause.FISCAL_LATE, 1: DelayCause.PREPARATION}


def _day(year: int, fraction: float, today: datetime.date) -> datetime.date:
    """A date at ``fraction`` of the way from 1 January to today (so demo payments are never in the future)."""
    start = datetime.date(year, 1, 1)
    return start + datetime.timedelta(days=int((today - start).days * fraction))


@transaction.atomic
def load_demo_funds() -> int:
    """Create the demo year once; returns the number of projects created (0 when already present)."""
    county = Area.objects.filter(code=COUNTY_CODE).first()
    if county is None or Project.objects.filter(is_demo=True, area_code__startswith=county.scope_prefix).exists():
        return 0
    fund_sources_ensure()
    today = timezone.localdate()
    year = today.year
    sources = {s.code: s for s in FundSource.objects.all()}
    villages = list(Area.objects.within(county).filter(level="village").order_by("code")[:24])
    # Every allocation's 分配结果 is made public the day it is allocated, before any 报账 (P-FD-08).
    allocations = [fund_allocation_create(
        actor=None, source=sources[code], area=county, year=year, amount=Decimal(amount) * 10000,
        document_number=f"新财农〔{year}〕{index + 1}号", allocated_on=_day(year, month / 12, today),
        published_on=_day(year, month / 12, today), publication_place="新平县人民政府网站", is_demo=True)
        for index, (code, amount, month) in enumerate(ALLOCATIONS)]
    # Provincial money passed straight to each township that has demo projects (shown by township).
    township_allocations = {}
    for number, township in enumerate(sorted({v.parent for v in villages}, key=lambda a: a.code)):
        township_allocations[township.pk] = fund_allocation_create(
            actor=None, source=sources["province_special"], area=township, year=year, amount=Decimal(600000 + 100000 * number),
            document_number=f"{township.name}〔{year}〕1号", allocated_on=_day(year, 0.2, today),
            published_on=_day(year, 0.2, today), publication_place=f"{township.name}政务公开栏", is_demo=True)
    created = 0
    for index, village in enumerate(villages):
        category = CATEGORIES[index % len(CATEGORIES)]
        households = list(Household.objects.filter(village=village).order_by("household_number")[:2])
        central, local = Decimal(400000 + 50000 * (index % 5)), Decimal(100000 + 20000 * (index % 3))
        project = project_services.project_create(
            actor=None, area=village, is_demo=True,
            data={"name": f"{village.name}{NAMES[category]}项目", "category": category, "year": year,
                  "responsible_unit": f"{village.parent.name}人民政府", "description": "演示项目",
                  "planned_start": datetime.date(year, 3, 1), "planned_finish": datetime.date(year, 11, 30),
                  "expected_households": max(len(households), 10 + index), "expected_persons": 35 + 3 * index,
                  "benefit_mechanism": "drive" if category == "industry" else "public_benefit"},
            budget=[{"source": sources["central_special"], "amount": central},
                    {"source": sources["province_special"], "amount": Decimal(100000)},
                    {"source": sources["county_integrated"], "amount": local}],
            beneficiaries=households,
        )
        created += 1
        project_services.project_submit(actor=None, project=project)
        if index % 8 == 7:
            continue  # stays 已申报: the library keeps plans for later years
        project_services.project_admit(actor=None, project=project)
        if index % 8 == 6:
            continue  # 已入库, not yet approved
        project = project_services.project_approve(actor=None, project=project, approved_on=_day(year, 0.15, today))
        project_services.project_publicity_open(actor=None, project=project, kind=PublicityKind.PLAN,
                                                published_on=_day(year, 0.16, today), location=f"{village.name}村务公开栏")
        central_funding = project_funding_assign(actor=None, allocation=allocations[0], project=project, amount=central)
        local_funding = project_funding_assign(actor=None, allocation=allocations[3], project=project, amount=local)
        township_funding = project_funding_assign(actor=None, allocation=township_allocations[village.parent_id],
                                                  project=project, amount=Decimal(100000))
        share = Decimal(10 + 7 * (index % 10)) / 100  # 10 % … 73 % paid
        fundings = [(central_funding, 0.45), (local_funding, 0.8), (township_funding, 0.6)]
        for number, (funding, fraction) in enumerate(fundings):
            fund_disburse(actor=None, funding=funding, amount=yuan(funding.amount * share),
                          paid_on=_day(year, fraction, today), voucher_number=f"XP{year}-{index + 1:03d}-{number + 1}",
                          payee=f"{village.parent.name}财政所", is_demo=True)
        if index in DELAY_CAUSES and schedule_delay(project, today):  # not started by today: attribute (P-FD-10)
            fund_delay_record(actor=None, project=project, cause=DELAY_CAUSES[index], recorded_on=today,
                              note="演示：截至认定日期尚未开工，资金滞留。")
    return created
