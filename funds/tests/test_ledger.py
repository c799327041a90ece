"""Allocations, project funding and disbursements: no overspending, reviews by two other people."""
import datetime
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, close_old_connections, connection, transaction

from conftest import COUNTY, OTHER_TOWNSHIP, TOWNSHIP
from funds.choices import DisbursementStatus
from funds.models import Disbursement, FundAllocation, ProjectFunding
from funds.services import disbursement_review_county, disbursement_review_township, fund_disburse
from funds.tests.factories import allocate, fund
from povalleviation.errors import ApplicationError, Conflict, PermissionDenied
from projects.tests.factories import make_project


@pytest.fixture
def county(areas):
    return areas[COUNTY]


@pytest.fixture
def funding(approved_project, county_officer, county):
    allocation = allocate(actor=county_officer, area=county, amount="100000")
    return fund(actor=county_officer, allocation=allocation, project=approved_project, amount="80000")


def pay(funding, actor, amount, voucher, day=datetime.date(2024, 5, 1)):
    return fund_disburse(actor=actor, funding=funding, amount=Decimal(amount), paid_on=day, voucher_number=voucher)


def test_only_the_county_allocates(township_officer, county_officer, areas):
    with pytest.raises(PermissionDenied):
        allocate(actor=township_officer, area=areas[TOWNSHIP])
    allocation = allocate(actor=county_officer, area=areas[TOWNSHIP], amount="250000.50")
    assert allocation.amount == Decimal("250000.50") and allocation.area_code == TOWNSHIP
    assert FundAllocation.objects.count() == 1


def test_assignment_stays_inside_the_receiving_area_and_amount(approved_project, county_officer, areas):
    elsewhere = allocate(actor=county_officer, area=areas[OTHER_TOWNSHIP], document="水塘镇 1 号")
    with pytest.raises(ApplicationError):
        fund(actor=county_officer, allocation=elsewhere, project=approved_project, amount="10")
    here = allocate(actor=county_officer, area=areas[TOWNSHIP], amount="5000", document="老厂乡 1 号")
    with pytest.raises(ApplicationError):
        fund(actor=county_officer, allocation=here, project=approved_project, amount="5000.01")
    assert ProjectFunding.objects.count() == 0
    here.refresh_from_db()
    assert here.assigned_amount == 0


def test_no_money_for_a_project_before_approval(draft_project, county_officer, county):
    allocation = allocate(actor=county_officer, area=county)
    with pytest.raises(Conflict):
        fund(actor=county_officer, allocation=allocation, project=draft_project, amount="10")


def test_overspending_is_refused_and_nothing_changes(funding, township_officer):
    pay(funding, township_officer, "50000", "PZ-001")
    with pytest.raises(ApplicationError) as error:
        pay(funding, township_officer, "30000.01", "PZ-002")
    assert "超过剩余" in error.value.message
    funding.refresh_from_db()
    assert funding.disbursed_amount == Decimal("50000") and Disbursement.objects.count() == 1
    assert FundAllocation.objects.get().disbursed_amount == Decimal("50000")


def test_the_database_refuses_overspending_even_without_the_service(funding):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectFunding.objects.filter(pk=funding.pk).update(disbursed_amount=Decimal("80000.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        FundAllocation.objects.filter(pk=funding.allocation_id).update(disbursed_amount=Decimal("100000.01"))


def test_voucher_number_is_unique_per_allocation(funding, township_officer):
    pay(funding, township_officer, "10", "PZ-9")
    with pytest.raises(ApplicationError):
        pay(funding, township_officer, "10", "PZ-9")
    assert Disbursement.objects.count() == 1


def test_village_cadre_and_other_township_cannot_record(funding, village_cadre_a, other_township_officer):
    for actor in (village_cadre_a, other_township_officer):
        with pytest.raises(PermissionDenied):
            pay(funding, actor, "10", f"PZ-{actor.pk}")
    assert Disbursement.objects.count() == 0


def test_review_chain_needs_two_other_people_and_rejection_releases(funding, township_officer, county_officer,
                                                                     county_approver, areas):
    from conftest import _persona
    from povalleviation.roles import Role

    checker = _persona("township_checker", Role.TOWNSHIP_OFFICER, TOWNSHIP)
    first = pay(funding, township_officer, "30000", "PZ-1")
    with pytest.raises(PermissionDenied):
        disbursement_review_township(actor=township_officer, disbursement=first, approve=True)
    with pytest.raises(Conflict):
        disbursement_review_county(actor=county_officer, disbursement=first, approve=True)
    disbursement_review_township(actor=checker, disbursement=first, approve=True)
    disbursement_review_county(actor=county_officer, disbursement=first, approve=True)
    first.refresh_from_db()
    assert first.status == DisbursementStatus.SETTLED and first.county_reviewer == county_officer
    second = pay(funding, township_officer, "50000", "PZ-2")
    with pytest.raises(ApplicationError):
        disbursement_review_township(actor=checker, disbursement=second, approve=False, note="")
    disbursement_review_township(actor=checker, disbursement=second, approve=False, note="凭证不全")
    funding.refresh_from_db()
    assert funding.disbursed_amount == Decimal("30000")
    assert FundAllocation.objects.get().disbursed_amount == Decimal("30000")


@pytest.mark.django_db(transaction=True)
def test_two_disbursements_at_once_cannot_overspend(areas, township_officer, county_officer, county_approver):
    """Two threads on PostgreSQL each try to pay 60 000 of an 80 000 funding: exactly one succeeds."""
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL (row locks)")
    from projects.tests.factories import approve, publicize_plan

    project = approve(make_project(actor=township_officer, area=areas["530427204202"]), submitter=township_officer,
                      admitter=county_officer, approver=county_approver)
    publicize_plan(project, actor=township_officer)
    allocation = allocate(actor=county_officer, area=areas[COUNTY], amount="100000")
    funding = fund(actor=county_officer, allocation=allocation, project=project, amount="80000")
    barrier = threading.Barrier(2)
    outcomes = []

    def worker(voucher):
        close_old_connections()
        try:
            barrier.wait()
            pay(ProjectFunding.objects.get(pk=funding.pk), township_officer, "60000", voucher)
            outcomes.append("paid")
        except ApplicationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"PZ-T{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["paid", "refused"]
    funding.refresh_from_db()
    assert funding.disbursed_amount == Decimal("60000")
    assert Disbursement.objects.filter(funding=funding).count() == 1
