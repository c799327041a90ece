"""Spend ratios as of a date from a hand-computed example; the set-based recompute equals the one-by-one
computation; the command records its run."""
import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from conftest import COUNTY, TOWNSHIP, VILLAGE_A
from funds.choices import DisbursementStatus
from funds.models import FundRecomputeRun, SpendRatio
from funds.recompute import spend_ratios_recompute
from funds.selectors import spend_ratio_for, spend_summary
from funds.services import disbursement_review_township, fund_disburse
from funds.tests.factories import allocate, fund
from projects.models import FundSource


@pytest.fixture
def ledger(approved_project, areas, county_officer, township_officer):
    """中央 1 000 000 (3 Mar) and 县级整合 400 000 (1 Jun) to the county; 老厂乡 200 000 (1 Apr);
    payments 300 000 (10 Apr), 200 000 (1 Jul), 100 000 (1 Sep, township money), 50 000 rejected (1 Aug)."""
    central = allocate(actor=county_officer, area=areas[COUNTY], amount="1000000", allocated_on=datetime.date(2024, 3, 3))
    local = allocate(actor=county_officer, area=areas[COUNTY], code="county_integrated", amount="400000",
                     allocated_on=datetime.date(2024, 6, 1), document="新财〔2024〕8号")
    township = allocate(actor=county_officer, area=areas[TOWNSHIP], amount="200000", allocated_on=datetime.date(2024, 4, 1),
                        document="老厂乡 2024-1")
    f_central = fund(actor=county_officer, allocation=central, project=approved_project, amount="600000")
    f_local = fund(actor=county_officer, allocation=local, project=approved_project, amount="300000")
    f_township = fund(actor=county_officer, allocation=township, project=approved_project, amount="150000")
    pay = lambda f, amount, day, voucher: fund_disburse(actor=township_officer, funding=f, amount=Decimal(amount),  # noqa: E731
                                                         paid_on=day, voucher_number=voucher)
    pay(f_central, "300000", datetime.date(2024, 4, 10), "A1")
    pay(f_local, "200000", datetime.date(2024, 7, 1), "B1")
    pay(f_township, "100000", datetime.date(2024, 9, 1), "C1")
    rejected = pay(f_central, "50000", datetime.date(2024, 8, 1), "A2")
    from conftest import _persona
    from povalleviation.roles import Role

    checker = _persona("checker", Role.TOWNSHIP_OFFICER, TOWNSHIP)
    disbursement_review_township(actor=checker, disbursement=rejected, approve=False, note="重复报账")
    assert rejected.__class__.objects.get(pk=rejected.pk).status == DisbursementStatus.REJECTED
    return areas


@pytest.mark.parametrize("as_of, allocated, disbursed, expected", [
    (datetime.date(2024, 3, 31), "1000000", "0", "0.0000"),
    (datetime.date(2024, 5, 1), "1200000", "300000", "0.2500"),
    (datetime.date(2024, 8, 1), "1600000", "500000", "0.3125"),
    (datetime.date(2024, 12, 31), "1600000", "600000", "0.3750"),
])
def test_county_ratio_as_of_a_date(ledger, as_of, allocated, disbursed, expected):
    figures = spend_ratio_for(area=ledger[COUNTY], year=2024, as_of=as_of)
    assert figures == {"allocated": Decimal(allocated), "disbursed": Decimal(disbursed), "ratio": Decimal(expected)}


def test_summary_by_source_and_township(ledger):
    summary = spend_summary(area=ledger[COUNTY], year=2024, as_of=datetime.date(2024, 12, 31))
    by_source = {row["label"]: (row["allocated"], row["disbursed"]) for row in summary["by_source"]}
    assert by_source == {"中央财政专项扶贫资金": (Decimal("1200000"), Decimal("400000")), "县级统筹整合涉农资金": (Decimal("400000"), Decimal("200000"))}
    by_child = {row["label"]: (row["allocated"], row["disbursed"], row["ratio"]) for row in summary["by_child"]}
    assert by_child["新平彝族傣族自治县本级"] == (Decimal("1400000"), Decimal("500000"), Decimal("0.3571"))
    assert by_child["老厂乡"] == (Decimal("200000"), Decimal("100000"), Decimal("0.5000"))
    assert by_child["水塘镇"] == (Decimal("0"), Decimal("0"), None)
    local = summary["local_contribution"]
    assert (local["local"], local["upper"], local["share_of_total"], local["share_of_upper"]) == (
        Decimal("400000"), Decimal("1200000"), Decimal("0.2500"), Decimal("0.3333"))
    # No PolicyParameter sets a target for this county: shown as 无目标, nothing flagged (DOMAIN.md Q8).
    assert summary["total"]["target"] is None and summary["flagged"] == []


def test_set_based_recompute_equals_one_by_one(ledger):
    as_of = datetime.date(2024, 8, 15)
    run = spend_ratios_recompute(area=ledger[COUNTY], year=2024, as_of=as_of)
    stored = {(r.area.code, r.source_id): (r.allocated, r.disbursed) for r in SpendRatio.objects.select_related("area")}
    assert run.row_count == len(stored) > 0
    expected = {}
    for code in (COUNTY, TOWNSHIP, VILLAGE_A):
        area = ledger[code]
        for source in [None, *FundSource.objects.all()]:
            figures = spend_ratio_for(area=area, year=2024, as_of=as_of, source=source)
            if figures["allocated"] or figures["disbursed"]:
                expected[(code, source.pk if source else None)] = (figures["allocated"], figures["disbursed"])
    assert stored == expected
    assert stored[(COUNTY, None)] == (Decimal("1600000"), Decimal("500000"))


def test_recompute_replaces_rows_and_records_each_run(ledger):
    call_command("recompute_fund_ratios", area=COUNTY, year=2024, as_of="2024-05-01")
    call_command("recompute_fund_ratios", area=COUNTY, year=2024)
    runs = list(FundRecomputeRun.objects.order_by("id"))
    assert [r.trigger for r in runs] == ["command", "command"] and runs[0].as_of == datetime.date(2024, 5, 1)
    assert runs[1].disbursement_count == 3
    county_total = SpendRatio.objects.get(area__code=COUNTY, source=None)
    assert (county_total.allocated, county_total.disbursed, county_total.run_id) == (Decimal("1600000"), Decimal("600000"), runs[1].pk)


def test_recompute_task_runs_for_the_county(ledger, django_capture_on_commit_callbacks):
    from funds.tasks import recompute_fund_ratios_task

    run_ids = recompute_fund_ratios_task.apply(kwargs={"county_code": COUNTY, "year": 2024}).get()
    assert FundRecomputeRun.objects.get(pk=run_ids[0]).trigger == "on_commit"
    assert recompute_fund_ratios_task.apply(kwargs={"year": 2024}).get() != []


def test_targets_from_policy_parameters_flag_areas_below_target(ledger):
    """A city target of 92 % (焦作-style P-FD-02) is inherited by the county; 老厂乡 gets its own 40 %."""
    from assessments.policy.services import policy_parameter_create
    from conftest import CITY

    policy_parameter_create(actor=None, code="fund_spend_ratio_min", area=ledger[CITY], year_from=2024, value="92",
                            source_citation="001_5bc03b4b95b81c94.txt §三(四)", reason="测试")
    policy_parameter_create(actor=None, code="fund_spend_ratio_min", area=ledger[TOWNSHIP], year_from=2024, value="40",
                            source_citation="测试", reason="测试")
    summary = spend_summary(area=ledger[COUNTY], year=2024, as_of=datetime.date(2024, 12, 31))
    assert summary["total"]["target"] == Decimal("0.9200") and summary["total"]["below_target"] is True
    by_child = {row["label"]: row for row in summary["by_child"]}
    assert by_child["老厂乡"]["target"] == Decimal("0.4000") and by_child["老厂乡"]["below_target"] is False
    assert by_child["水塘镇"]["target"] == Decimal("0.9200") and by_child["水塘镇"]["below_target"] is False  # nothing allocated
    assert [row["label"] for row in summary["flagged"]] == ["新平彝族傣族自治县", "新平彝族傣族自治县本级"]
