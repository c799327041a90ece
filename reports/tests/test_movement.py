"""§6.2 Movement (period): 期初 + 新识别 + 返贫 − 脱贫 − 剔除 ± 成员自然增减 = 期末, from history; an
unbalanced snapshot is shown in the PDF and refused at signing with the area and the difference."""
import datetime
import zoneinfo

import pytest

from conftest import COUNTY, OTHER_TOWNSHIP, TOWNSHIP, VILLAGE_A
from households.models import HouseholdStatusChange, Member
from households.selectors_asof import poverty_stock_as_of
from households.services import member_add, member_remove
from households.tests.factories import member_data
from povalleviation.errors import Conflict
from reports.generation import report_build
from reports.models import ReportStatus
from reports.services import report_generate, report_review, report_sign
from reports.snapshot import build_snapshot
from reports.snapshot.movement import imbalance_message
from reports.tests.report_data import build_history
from reports.tests.test_figures import _pdf_text
from villages.models import Area

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
END, BEFORE = datetime.date(2024, 6, 30), datetime.date(2024, 3, 31)


@pytest.fixture
def history(county_officer, township_officer, county_approver):  # noqa: F811
    data = build_history(county_officer=county_officer, township_officer=township_officer, county_approver=county_approver)
    taihe = data["taihe"]
    # Recorded on the days they took effect (as a live system would have), so a member added later is later.
    for change in HouseholdStatusChange.objects.all():
        HouseholdStatusChange.objects.filter(pk=change.pk).update(
            at=datetime.datetime.combine(change.effective_date, datetime.time(9), tzinfo=SHANGHAI))
    for member in Member.objects.select_related("household"):
        first = HouseholdStatusChange.objects.filter(household=member.household).order_by("effective_date", "id").first()
        Member.objects.filter(pk=member.pk).update(created_at=first.at - datetime.timedelta(minutes=5))
    # In the quarter: a son of 钱二 moves out on 1 June; a spouse joins 孙三 on 20 May (registered that day).
    leaver = Member.objects.filter(household=taihe[1]).exclude(relation="02").first()
    member_remove(actor=None, member=leaver, status="moved_out", left_date=datetime.date(2024, 6, 1))
    joined = member_add(actor=None, household=taihe[2], data=member_data(410, name="孙配", relation="10"))
    Member.objects.filter(pk=joined.pk).update(created_at=datetime.datetime(2024, 5, 20, 10, tzinfo=SHANGHAI))
    return data


def test_movement_balances_for_households_and_persons(history):
    snapshot = build_snapshot(area=Area.objects.get(code=COUNTY), year=2024, quarter=2)
    population = snapshot["population"]
    rows = {row["code"]: row for row in population["rows"]}
    township = rows[TOWNSHIP]
    closing = poverty_stock_as_of(area_code=COUNTY, as_of=END)[TOWNSHIP]
    opening = poverty_stock_as_of(area_code=COUNTY, as_of=BEFORE)[TOWNSHIP]
    assert (township["opening_households"], township["households"]) == (opening["households"], closing["households"])
    # 6 + 4 (勐炳村 new) − 2 (赵一 exits) + 1 (spouse) − 1 (moved out) = 8.
    assert (township["identified_persons"], township["exited_persons"]) == (4, 2)
    assert (township["members_added"], township["members_left"]) == (1, 1)
    assert township["persons"] == closing["persons"] == 8
    assert rows[OTHER_TOWNSHIP]["removed_persons"] == 2 and rows[OTHER_TOWNSHIP]["persons"] == 0
    assert population["balance"] == {"balanced": True, "failures": []}
    assert all(row["households_difference"] == 0 and row["persons_difference"] == 0
               for row in population["rows"] + population["villages"] + [population["total"]])
    assert imbalance_message(snapshot) is None


def test_member_change_outside_the_stock_is_not_a_natural_change(history):
    # 赵一's household exited on 10 May; a member leaving in June is not a change of the poor population.
    member = Member.objects.filter(household=history["taihe"][0]).exclude(relation="02").first()
    Member.objects.filter(pk=member.pk).update(status="moved_out", left_date=datetime.date(2024, 6, 10))
    snapshot = build_snapshot(area=Area.objects.get(code=COUNTY), year=2024, quarter=2)
    township = {row["code"]: row for row in snapshot["population"]["rows"]}[TOWNSHIP]
    assert township["members_left"] == 1 and snapshot["population"]["balance"]["balanced"]


def _unbalance(history):
    """A 脱贫 row written directly, without the history before it: 赵一's household had already exited on
    10 May, so a second HELPED → EXITED row on 1 June counts an exit that does not change the stock."""
    HouseholdStatusChange.objects.create(household=history["taihe"][0], from_status="helped", to_status="exited",
                                         effective_date=datetime.date(2024, 6, 1), reason="补录")


def test_an_inconsistent_status_row_breaks_the_balance_and_names_the_area(history):
    _unbalance(history)
    snapshot = build_snapshot(area=Area.objects.get(code=COUNTY), year=2024, quarter=2)
    check = snapshot["population"]["balance"]
    assert not check["balanced"]
    failures = {item["name"]: item for item in check["failures"]}
    assert failures["老厂乡"]["households_difference"] == 1 and failures["老厂乡"]["persons_difference"] == 2
    codes = {item["code"] for item in check["failures"]}
    assert codes == {COUNTY, TOWNSHIP, VILLAGE_A}  # the county, 老厂乡 and 太和村; not 水塘镇
    message = imbalance_message(snapshot)
    assert "老厂乡：户数差 +1，人数差 +2" in message and "不能签发" in message


def test_signing_an_unbalanced_report_is_refused(history, leading_group_staff, report_reviewer, report_media):
    _unbalance(history)
    report = report_build(report_generate(actor=leading_group_staff, area=Area.objects.get(code=COUNTY),
                                          year=2024, quarter=2).pk)
    text = "".join(_pdf_text(report).split())  # the note wraps across lines
    assert "平衡校验：不平衡，报告不能签发" in text and "老厂乡（户数差1，人数差2）" in text
    report = report_review(actor=report_reviewer, report=report, note="核对")
    with pytest.raises(Conflict, match="老厂乡：户数差 \\+1，人数差 \\+2"):
        report_sign(actor=leading_group_staff, report=report)
    report.refresh_from_db()
    assert report.status == ReportStatus.REVIEWED and not report.signed_pdf


def test_balanced_report_pdf_shows_the_check(history, leading_group_staff, report_media):
    report = report_build(report_generate(actor=leading_group_staff, area=Area.objects.get(code=COUNTY),
                                          year=2024, quarter=2).pk)
    text = _pdf_text(report)
    assert "平衡校验：全部区域平衡" in text
    part = text[text.rindex("（二）人数变动"):]
    line = next(line for line in part.splitlines() if line.strip().startswith("老厂乡"))
    assert line.split()[1:] == ["6", "4", "0", "2", "0", "1", "1", "8", "0"]
