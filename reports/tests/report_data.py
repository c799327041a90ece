"""Deterministic history for report tests, built through the services (dates chosen around 2024 Q2).

老厂乡 太和村: three households registered 2023-06-01 (2, 3 and 1 persons), one exits on 2024-05-10;
老厂乡 勐炳村: one household registered 2024-04-15 (new in the quarter, 4 persons);
水塘镇 大口村: one household registered 2023-06-01 (2 persons), removed 2024-06-20.
Money: a county allocation of 1 000 000 on 2024-03-01, 400 000 assigned to an approved 太和村 project and
120 000 paid on 2024-05-01. Denominators: 太和村 800, 勐炳村 600, 大口村 500 people (2024).
"""
import datetime
from decimal import Decimal

from conftest import OTHER_VILLAGE, VILLAGE_A, VILLAGE_B
from funds.services import fund_disburse
from funds.tests.factories import allocate, fund
from households.services import household_register, household_set_status
from households.tests.factories import member_data
from projects.tests.factories import approve, make_project, publicize_plan
from villages.models import Area, AreaYearProfile


def register(code: str, persons: int, registered_on: datetime.date, head: str, first_sequence: int):
    """ID numbers from ``first_sequence`` on (tests adding members later use sequences from 400)."""
    members = [member_data(first_sequence, name=head)] + [
        member_data(first_sequence + i, name=f"{head}{i}", relation="20", birth="20100101") for i in range(1, persons)]
    return household_register(actor=None, area=Area.objects.get(code=code), members=members, registered_on=registered_on,
                              data={"identification_year": registered_on.year, "primary_cause": "ILLNESS"})


def set_status(household, status: str, day: datetime.date, reason="测试"):
    return household_set_status(actor=None, household=household, to_status=status, reason=reason, effective_date=day)


def build_history(*, county_officer, township_officer, county_approver):
    taihe = [register(VILLAGE_A, persons, datetime.date(2023, 6, 1), head, first) for persons, head, first in
             ((2, "赵一", 10), (3, "钱二", 20), (1, "孙三", 30))]
    for household in taihe:
        set_status(household, "helped", datetime.date(2023, 9, 1))
    set_status(taihe[0], "exit_pending", datetime.date(2024, 4, 20))
    set_status(taihe[0], "exited", datetime.date(2024, 5, 10))
    register(VILLAGE_B, 4, datetime.date(2024, 4, 15), "李四", 40)
    dakou = register(OTHER_VILLAGE, 2, datetime.date(2023, 6, 1), "周五", 50)
    set_status(dakou, "removed", datetime.date(2024, 6, 20))
    for code, population in ((VILLAGE_A, 800), (VILLAGE_B, 600), (OTHER_VILLAGE, 500)):
        AreaYearProfile.objects.create(area=Area.objects.get(code=code), year=2024, rural_registered_population=population)
    project = make_project(actor=township_officer, area=Area.objects.get(code=VILLAGE_A))
    project = approve(project, submitter=township_officer, admitter=county_officer, approver=county_approver)
    publicize_plan(project, actor=township_officer)
    allocation = allocate(actor=county_officer, area=Area.objects.get(code="530427000000"))
    funding = fund(actor=county_officer, allocation=allocation, project=project, amount="400000")
    fund_disburse(actor=township_officer, funding=funding, amount=Decimal("120000"), paid_on=datetime.date(2024, 5, 1),
                  voucher_number="XP2024-001")
    return {"taihe": taihe, "dakou": dakou, "funding": funding, "project": project}
