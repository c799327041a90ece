"""The report's figures: as of the quarter's end, equal to the selectors, the same when regenerated later,
and the same in the PDF text (pdftotext) as in the snapshot."""
import datetime
import re
import subprocess
from decimal import Decimal

import pytest

from conftest import COUNTY, OTHER_TOWNSHIP, TOWNSHIP, VILLAGE_A
from funds.selectors import spend_summary
from funds.services import fund_disburse
from households.models import Member
from households.selectors_asof import poverty_incidence_as_of, poverty_stock_as_of
from households.services import member_add, member_remove
from households.tests.factories import member_data
from reports.generation import report_build
from reports.models import ReportStatus
from reports.services import report_generate
from reports.snapshot import build_snapshot, snapshot_digest
from reports.tests.report_data import build_history, set_status
from villages.models import Area

END = datetime.date(2024, 6, 30)
BEFORE = datetime.date(2024, 3, 31)


@pytest.fixture
def history(county_officer, township_officer, county_approver):
    return build_history(county_officer=county_officer, township_officer=township_officer, county_approver=county_approver)


def test_stock_as_of_is_rebuilt_from_status_and_member_history(history):
    at_end = poverty_stock_as_of(area_code=COUNTY, as_of=END)
    # 老厂乡: 太和村 3 households − 1 exited (2 + 1 persons left) + 勐炳村 1 new household of 4.
    assert at_end[TOWNSHIP] == {"households": 3, "persons": 8}
    assert OTHER_TOWNSHIP not in at_end  # 大口村's only household was removed on 20 June
    at_start = poverty_stock_as_of(area_code=COUNTY, as_of=BEFORE)
    assert at_start[TOWNSHIP] == {"households": 3, "persons": 6} and at_start[OTHER_TOWNSHIP] == {"households": 1, "persons": 2}
    assert poverty_stock_as_of(area_code=COUNTY, as_of=datetime.date(2023, 5, 31)) == {}


def test_incidence_uses_the_village_denominators(history):
    result = poverty_incidence_as_of(area_code=COUNTY, as_of=END)
    assert result[TOWNSHIP]["population"] == 1400 and result[TOWNSHIP]["persons"] == 8
    assert result[TOWNSHIP]["incidence"] == Decimal("0.57")
    assert result[OTHER_TOWNSHIP]["incidence"] == Decimal("0.00")
    villages = poverty_incidence_as_of(area_code=COUNTY, as_of=END, group_level="village")
    assert villages[VILLAGE_A]["incidence"] == (Decimal(3 + 1) * 100 / 800).quantize(Decimal("0.01"))


def test_member_who_left_after_the_date_still_counts_and_later_additions_do_not(today, history):
    taihe = history["taihe"]
    member = Member.objects.filter(household=taihe[1]).exclude(relation="02").first()
    member_remove(actor=None, member=member, status="moved_out", left_date=datetime.date(2024, 9, 1))
    member_add(actor=None, household=taihe[2], data=member_data(400, name="孙新", relation="10"))
    assert poverty_stock_as_of(area_code=COUNTY, as_of=END)[TOWNSHIP]["persons"] == 8
    assert poverty_stock_as_of(area_code=COUNTY, as_of=today)[TOWNSHIP]["persons"] == 8 - 1 + 1


def test_regenerating_a_past_quarter_after_edits_gives_the_same_snapshot(history, township_officer):
    county = Area.objects.get(code=COUNTY)
    first = build_snapshot(area=county, year=2024, quarter=2)
    # After the quarter: another exit, a payment dated later, a member added today.
    set_status(history["taihe"][1], "exit_pending", datetime.date(2024, 7, 5))
    set_status(history["taihe"][1], "exited", datetime.date(2024, 7, 20))
    fund_disburse(actor=township_officer, funding=history["funding"], amount=Decimal("50000"),
                  paid_on=datetime.date(2024, 8, 1), voucher_number="XP2024-002")
    member_add(actor=None, household=history["taihe"][2], data=member_data(401, name="孙后", relation="10"))
    again = build_snapshot(area=county, year=2024, quarter=2)
    # Every as-of section is identical; only 数据质量 (computed at generation, no history) follows the edit.
    def as_of_part(snapshot):
        return {key: value for key, value in snapshot.items() if key != "quality"}
    assert as_of_part(again) == as_of_part(first)
    assert snapshot_digest(as_of_part(again)) == snapshot_digest(as_of_part(first))
    assert again["quality"]["checks"] != first["quality"]["checks"]  # the new spouse has the head's sex
    # The edits do show in the next quarter.
    later = build_snapshot(area=county, year=2024, quarter=3)
    assert later["population"]["total"]["exited"] == 1 and Decimal(later["funds"]["total"]["disbursed"]) == Decimal("170000")


def test_snapshot_sections_equal_the_selectors(history):
    county = Area.objects.get(code=COUNTY)
    snapshot = build_snapshot(area=county, year=2024, quarter=2)
    stock, opening = poverty_stock_as_of(area_code=COUNTY, as_of=END), poverty_stock_as_of(area_code=COUNTY, as_of=BEFORE)
    rows = {row["code"]: row for row in snapshot["population"]["rows"]}
    for code in (TOWNSHIP, OTHER_TOWNSHIP):
        assert rows[code]["households"] == stock.get(code, {}).get("households", 0)
        assert rows[code]["opening_persons"] == opening.get(code, {}).get("persons", 0)
    assert (rows[TOWNSHIP]["identified"], rows[TOWNSHIP]["exited"], rows[OTHER_TOWNSHIP]["removed"]) == (1, 1, 1)
    funds = spend_summary(area=county, year=2024, as_of=END)
    assert snapshot["funds"]["total"]["disbursed"] == str(funds["total"]["disbursed"])
    assert snapshot["funds"]["total"]["ratio"] == str(funds["total"]["ratio"])
    plans = {row["code"]: row for row in snapshot["plans"]["rows"]}
    assert (plans[TOWNSHIP]["actual_households"], plans[TOWNSHIP]["actual_persons"]) == (1, 2)
    projects = {row["code"]: row for row in snapshot["projects"]["rows"]}
    assert projects[TOWNSHIP]["statuses"]["approved"]["count"] == 1


def _pdf_text(report) -> str:
    with report.draft_pdf.open("rb") as handle:
        data = handle.read()
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return result.stdout.decode()


def _numbers_after(text: str, label: str, section: str) -> list[str]:
    part = text[text.rindex(section):]  # the heading, not its line in the table of contents
    line = next(line for line in part.splitlines() if line.strip().startswith(label))
    return re.findall(r"-?[\d,]+(?:\.\d+)?%?|—", line[line.index(label) + len(label):])


def test_figures_in_the_pdf_text_equal_the_selectors(history, leading_group_staff, report_media):
    county = Area.objects.get(code=COUNTY)
    report = report_generate(actor=leading_group_staff, area=county, year=2024, quarter=2)
    report = report_build(report.pk)
    assert report.status == ReportStatus.DRAFT and report.page_count >= 10
    text = _pdf_text(report)
    stock, opening = poverty_stock_as_of(area_code=COUNTY, as_of=END), poverty_stock_as_of(area_code=COUNTY, as_of=BEFORE)
    township = stock[TOWNSHIP]
    assert _numbers_after(text, "老厂乡", "（一）户数变动") == [
        str(opening[TOWNSHIP]["households"]), "1", "0", "1", "0", str(township["households"]), "0"]
    assert _numbers_after(text, "老厂乡", "（二）人数变动") == [
        str(opening[TOWNSHIP]["persons"]), "4", "0", "2", "0", "0", "0", str(township["persons"]), "0"]
    incidence = poverty_incidence_as_of(area_code=COUNTY, as_of=END)
    assert f"{incidence[TOWNSHIP]['incidence']}%" in _numbers_after(text, "老厂乡", "四、贫困发生率")
    total = sum(row["households"] for row in stock.values())
    assert re.search(rf"建档立卡贫困户（期末）\s+{total}\s*户", text)
    funds = spend_summary(area=county, year=2024, as_of=END)
    disbursed_wan = f"{(funds['total']['disbursed'] / 10000).quantize(Decimal('0.01')):,}"
    assert disbursed_wan in _numbers_after(text, "合计", "（一）按资金来源")
    assert "第 1 页 / 共" in text and "签发" in text and "目录" in text


def test_pdf_embeds_the_cjk_fonts(history, leading_group_staff, report_media):
    report = report_build(report_generate(actor=leading_group_staff, area=Area.objects.get(code=COUNTY),
                                          year=2024, quarter=2).pk)
    with report.draft_pdf.open("rb") as handle:
        fonts = subprocess.run(["pdffonts", "-"], input=handle.read(), capture_output=True, check=True).stdout.decode()
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes yes " in line for line in cjk)
