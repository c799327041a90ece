"""Oversight fixtures: a county inspection of 老厂乡 with items in 太和村 and 勐炳村, built through the services."""
import datetime

import pytest
from django.utils import timezone

from conftest import COUNTY, TOWNSHIP, VILLAGE_A, VILLAGE_B, _persona
from oversight import services
from povalleviation.roles import Role
from villages.models import Area


def at(day: datetime.date | str, hour: int = 10) -> datetime.datetime:
    """A local moment on ``day`` (services accept past moments for paper-ledger entry)."""
    day = datetime.date.fromisoformat(day) if isinstance(day, str) else day
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def make_inspection(actor, *, source_kind="assessment", items=(), title="2017年省市成效考核反馈问题", issuer=COUNTY,
                    target=TOWNSHIP, feedback_on=datetime.date(2024, 1, 5), created="2024-01-10"):
    """An inspection with one finding per (category, item) pair; ``items`` = [(category, village code, deadline)]."""
    findings = [{"category": category, "text": f"{category}方面问题{index + 1}",
                 "items": [{"problem": f"{category}具体问题{index + 1}", "area": Area.objects.get(code=code),
                            "responsible_unit": "老厂乡人民政府", "responsible_person": "张乡长", "deadline": deadline,
                            "measures": "逐户核实，建立台账", "at": at(created)}]}
                for index, (category, code, deadline) in enumerate(items)]
    return services.inspection_create(
        actor=actor, issuer_area=Area.objects.get(code=issuer), area=Area.objects.get(code=target),
        data={"title": title, "source_kind": source_kind, "issuer_unit": "新平县扶贫开发领导小组办公室",
              "started_on": feedback_on - datetime.timedelta(days=10), "ended_on": feedback_on - datetime.timedelta(days=3),
              "feedback_on": feedback_on, "qualitative_summary": "总体较好，存在问题"},
        findings=findings,
    )


@pytest.fixture
def county_verifier(areas):
    """A second county officer: 对账 and 销号 must be taken by two different people (DOMAIN.md §5.0 rule 2)."""
    return _persona("county_verifier", Role.COUNTY_OFFICER, COUNTY)


@pytest.fixture
def inspection(county_officer):
    return make_inspection(county_officer, items=[
        ("目标精准把握", VILLAGE_A, datetime.date(2024, 3, 31)),
        ("政策举措落实", VILLAGE_B, datetime.date(2024, 3, 31)),
        ("帮扶工作", VILLAGE_A, datetime.date(2024, 6, 30)),
    ])


@pytest.fixture
def items(inspection):
    return list(inspection.findings.order_by("number").values_list("items", flat=True))


def item_of(inspection, number):
    return inspection.findings.get(number=number).items.get()


def rectify(item, *, worker, verifier, closer, progress_on="2024-02-01", submit_on="2024-03-01", verify_on="2024-03-05",
            close_on=None):
    """Walk an item through progress → 申请销号 → 对账 (→ 销号 when ``close_on`` is given)."""
    services.rectification_progress_add(actor=worker, item=item, text="已逐户核实整改", at=at(progress_on))
    services.rectification_item_submit(actor=worker, item=item, summary="整改完成", at=at(submit_on))
    services.rectification_item_verify(actor=verifier, item=item, passed=True, note="材料齐全", at=at(verify_on))
    if close_on:
        services.rectification_item_close(actor=closer, item=item, note="同意销号", at=at(close_on))
    item.refresh_from_db()
    return item
