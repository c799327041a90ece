"""What the fund ledger adds to a project's lifecycle: no 取消 once money is assigned, no 完结 while a voucher
waits for review (the ledger's check registered with ``projects.close_checks``)."""
import datetime

import pytest

from conftest import TOWNSHIP, _persona
from funds.services import disbursement_review_county, disbursement_review_township, fund_disburse
from funds.tests.factories import allocate, fund
from povalleviation.errors import ApplicationError
from povalleviation.roles import Role
from projects import services
from projects.choices import ProjectStatus, PublicityKind
from projects.tests.factories import make_project


def test_cancel_with_reason_and_not_after_money(approved_project, draft_project, township_officer, county_officer,
                                                areas):
    other = make_project(actor=township_officer, area=draft_project.area, name="另一个项目")
    services.project_cancel(actor=township_officer, project=other, reason="重复申报")
    other.refresh_from_db()
    assert other.status == ProjectStatus.CANCELLED
    allocation = allocate(actor=county_officer, area=areas["530427000000"])
    fund(actor=county_officer, allocation=allocation, project=approved_project, amount="1000")
    with pytest.raises(ApplicationError):
        services.project_cancel(actor=county_officer, project=approved_project, reason="调整")
    approved_project.refresh_from_db()
    assert approved_project.status == ProjectStatus.APPROVED


def test_a_project_with_a_voucher_waiting_for_review_cannot_close(approved_project, township_officer, county_officer,
                                                                  household_a, areas):
    project = approved_project
    allocation = allocate(actor=county_officer, area=areas["530427000000"])
    funding = fund(actor=county_officer, allocation=allocation, project=project, amount="1000")
    services.project_start(actor=township_officer, project=project, started_on=datetime.date(2024, 3, 5))
    voucher = fund_disburse(actor=township_officer, funding=funding, amount="800", paid_on=datetime.date(2024, 4, 1),
                            voucher_number="记-2024-001")
    services.project_complete(actor=township_officer, project=project, finished_on=datetime.date(2024, 10, 30),
                              actual_households=2, actual_persons=5, beneficiaries=[household_a])
    services.project_accept(actor=county_officer, project=project, passed=True)
    services.project_publicity_open(actor=township_officer, project=project, kind=PublicityKind.RESULT,
                                    published_on=datetime.date(2024, 11, 2), location="老厂乡政务公开栏")
    with pytest.raises(ApplicationError, match="还有未审核的报账，不能完结"):
        services.project_close(actor=county_officer, project=project)
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACCEPTED

    checker = _persona("township_checker", Role.TOWNSHIP_OFFICER, TOWNSHIP)  # not the one who recorded it
    disbursement_review_township(actor=checker, disbursement=voucher, approve=True)
    disbursement_review_county(actor=county_officer, disbursement=voucher, approve=True)
    services.project_close(actor=county_officer, project=project)
    project.refresh_from_db()
    assert project.status == ProjectStatus.CLOSED
