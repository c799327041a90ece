"""Deterministic projects and funds built through the services (never random)."""
import datetime
from decimal import Decimal

from funds.models import FundSource
from funds.services import fund_allocation_create, fund_sources_ensure, project_funding_assign
from projects import services
from projects.choices import PublicityKind

PLAN = {
    "category": "industry", "year": 2024, "responsible_unit": "老厂乡人民政府", "description": "核桃提质增效",
    "planned_start": datetime.date(2024, 3, 1), "planned_finish": datetime.date(2024, 11, 30),
    "expected_households": 2, "expected_persons": 6, "benefit_mechanism": "drive",
}


def source(code: str) -> FundSource:
    fund_sources_ensure()
    return FundSource.objects.get(code=code)


def make_project(*, actor, area, name="太和村核桃产业项目", budget=None, beneficiaries=(), **extra):
    budget = budget or [{"source": source("central_special"), "amount": Decimal("300000")},
                        {"source": source("county_integrated"), "amount": Decimal("100000")}]
    return services.project_create(actor=actor, area=area, data={**PLAN, "name": name, **extra}, budget=budget,
                                   beneficiaries=beneficiaries)


def approve(project, *, submitter, admitter, approver):
    services.project_submit(actor=submitter, project=project)
    services.project_admit(actor=admitter, project=project)
    return services.project_approve(actor=approver, project=project, approved_on=datetime.date(2024, 2, 20))


def publicize_plan(project, *, actor, published_on=datetime.date(2024, 2, 21)):
    return services.project_publicity_open(actor=actor, project=project, kind=PublicityKind.PLAN,
                                           published_on=published_on, location="太和村村务公开栏")


def allocate(*, actor, area, code="central_special", amount="1000000", allocated_on=datetime.date(2024, 3, 1),
             document="玉财农〔2024〕1号", year=2024, published=True):
    """A 资金下达; its 分配结果 made public the same day unless ``published=False`` (P-FD-08)."""
    return fund_allocation_create(actor=actor, source=source(code), area=area, year=year, amount=Decimal(amount),
                                  document_number=document, allocated_on=allocated_on,
                                  published_on=allocated_on if published else None,
                                  publication_place="县人民政府网站" if published else "")


def fund(*, actor, allocation, project, amount):
    return project_funding_assign(actor=actor, allocation=allocation, project=project, amount=Decimal(amount))
