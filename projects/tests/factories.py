"""Deterministic projects built through the services (never random); fund rows: ``funds.tests.factories``."""
import datetime
from decimal import Decimal

from projects import services
from projects.choices import PublicityKind
from projects.models import FundSource
from projects.services import fund_sources_ensure

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
