"""Deterministic fund rows built through the services (never random); projects: ``projects.tests.factories``."""
import datetime
from decimal import Decimal

from funds.services import fund_allocation_create, project_funding_assign
from projects.tests.factories import source


def allocate(*, actor, area, code="central_special", amount="1000000", allocated_on=datetime.date(2024, 3, 1),
             document="玉财农〔2024〕1号", year=2024, published=True):
    """A 资金下达; its 分配结果 made public the same day unless ``published=False`` (P-FD-08)."""
    return fund_allocation_create(actor=actor, source=source(code), area=area, year=year, amount=Decimal(amount),
                                  document_number=document, allocated_on=allocated_on,
                                  published_on=allocated_on if published else None,
                                  publication_place="县人民政府网站" if published else "")


def fund(*, actor, allocation, project, amount):
    return project_funding_assign(actor=actor, allocation=allocation, project=project, amount=Decimal(amount))
