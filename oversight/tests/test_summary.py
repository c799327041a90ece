"""The as-of summaries the quarterly report calls: counts rebuilt from history, unchanged by later steps."""
import datetime
import json
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder

from conftest import COUNTY, OTHER_TOWNSHIP, TOWNSHIP, VILLAGE_A, VILLAGE_B
from oversight import services
from oversight.selectors import complaint_summary, rectification_summary
from oversight.tests.conftest import at, item_of, make_inspection, rectify
from villages.models import Area


def test_rectification_counts_by_source_and_category_with_overdue_list(inspection, county_officer, township_officer,
                                                                       county_verifier):
    first = item_of(inspection, 1)
    rectify(first, worker=township_officer, verifier=county_officer, closer=county_verifier, close_on="2024-03-20")
    make_inspection(county_officer, source_kind="self_check", title="自查自纠", items=[("帮扶工作", VILLAGE_B, datetime.date(2024, 2, 1))])
    summary = rectification_summary(area_code=COUNTY, as_of=datetime.date(2024, 4, 10), since=datetime.date(2024, 1, 1))
    assert summary["totals"] == {"total": 4, "closed": 1, "in_progress": 3, "overdue": 2, "new_since": 4,
                                 "closure_rate": Decimal("25.00"), "escalations": 0}
    assert [(row["source_kind"], row["label"], row["total"], row["closed"], row["overdue"]) for row in summary["by_source"]] == [
        ("assessment", "成效考核", 3, 1, 1), ("self_check", "自查自纠", 1, 0, 1)]
    assert {row["category"]: (row["total"], row["closed"], row["overdue"], row["closure_rate"])
            for row in summary["by_category"]} == {
        "帮扶工作": (2, 0, 1, Decimal("0.00")), "政策举措落实": (1, 0, 1, Decimal("0.00")),
        "目标精准把握": (1, 1, 0, Decimal("100.00"))}
    assert summary["by_status"]["closed"] == 1 and summary["by_status"]["open"] == 3
    overdue = summary["overdue_items"]
    assert [(row["area_name"], row["deadline"], row["days_overdue"], row["responsible_unit"]) for row in overdue] == [
        ("勐炳村委会", "2024-02-01", 69, "老厂乡人民政府"), ("勐炳村委会", "2024-03-31", 10, "老厂乡人民政府")]
    assert overdue[1]["title"] == "政策举措落实具体问题2"
    json.dumps(summary, cls=DjangoJSONEncoder)


def test_as_of_figures_do_not_change_after_later_transitions(inspection, county_officer, township_officer,
                                                             county_verifier):
    first, second = item_of(inspection, 1), item_of(inspection, 2)
    rectify(first, worker=township_officer, verifier=county_officer, closer=county_verifier, close_on="2024-03-20")
    before = rectification_summary(area_code=COUNTY, as_of=datetime.date(2024, 4, 1), since=datetime.date(2024, 1, 1))
    assert before["totals"]["closed"] == 1 and before["totals"]["overdue"] == 1
    # Later: the closed item is reopened, the overdue one is re-dated and closed, a new inspection arrives.
    services.rectification_item_reopen(actor=county_officer, item=first, reason="回访发现未整改到位", at=at("2024-05-02"))
    services.rectification_item_set_deadline(actor=county_officer, item=second, deadline=datetime.date(2024, 9, 30), reason="延期",
                                             at=at("2024-05-03"))
    rectify(second, worker=township_officer, verifier=county_officer, closer=county_verifier, progress_on="2024-05-04",
            submit_on="2024-05-05", verify_on="2024-05-06", close_on="2024-05-07")
    make_inspection(county_officer, source_kind="audit", title="审计", items=[("扶贫资金使用管理", VILLAGE_A, datetime.date(2024, 8, 1))],
                    feedback_on=datetime.date(2024, 5, 6), created="2024-05-08")
    assert rectification_summary(area_code=COUNTY, as_of=datetime.date(2024, 4, 1), since=datetime.date(2024, 1, 1)) == before
    # On 10 May: the reopened item is open again past its old deadline; the re-dated one is closed.
    after = rectification_summary(area_code=COUNTY, as_of=datetime.date(2024, 5, 10), since=datetime.date(2024, 4, 2))
    assert after["totals"] == {"total": 4, "closed": 1, "in_progress": 3, "overdue": 1, "new_since": 1,
                               "closure_rate": Decimal("25.00"), "escalations": 0}
    assert [row["title"] for row in after["overdue_items"]] == ["目标精准把握具体问题1"]
    assert item_of(inspection, 2).status == "closed"


def test_scope_is_a_prefix_of_the_area_code(inspection):
    assert rectification_summary(area_code=VILLAGE_A, as_of=datetime.date(2024, 4, 1))["totals"]["total"] == 2
    assert rectification_summary(area_code=TOWNSHIP, as_of=datetime.date(2024, 4, 1))["totals"]["total"] == 3
    assert rectification_summary(area_code=OTHER_TOWNSHIP, as_of=datetime.date(2024, 4, 1))["totals"]["total"] == 0
    empty = rectification_summary(area_code=COUNTY, as_of=datetime.date(2024, 1, 9))
    assert empty["totals"] == {"total": 0, "closed": 0, "in_progress": 0, "overdue": 0, "new_since": 0,
                               "closure_rate": Decimal("0.00"), "escalations": 0}
    assert empty["by_source"] == [] and empty["overdue_items"] == []


def test_escalations_are_counted_as_of_their_date(inspection, county_officer):
    second = item_of(inspection, 2)
    services.escalation_record(actor=county_officer, item=second, kind="talk", escalated_on=datetime.date(2024, 4, 15),
                               target="老厂乡人民政府")
    assert rectification_summary(area_code=COUNTY, as_of=datetime.date(2024, 4, 14))["totals"]["escalations"] == 0
    summary = rectification_summary(area_code=COUNTY, as_of=datetime.date(2024, 4, 15))
    assert summary["totals"]["escalations"] == 1
    assert {row["category"]: row["escalations"] for row in summary["by_category"]}["政策举措落实"] == 1


def _complaint(actor, received, channel="hotline_12317", area=COUNTY):
    return services.complaint_receive(actor=actor, area=Area.objects.get(code=area), channel=channel,
                                      received_at=at(received), content="反映帮扶干部未入户走访",
                                      complainant_name="王某某", complainant_phone="13800001234")


def test_complaint_summary_as_of_dates(county_officer, township_officer, areas):
    first = _complaint(county_officer, "2024-01-03")
    services.complaint_assign(actor=county_officer, complaint=first, area=areas[TOWNSHIP], handling_unit="老厂乡",
                              at=at("2024-01-04"))
    services.complaint_start_handling(actor=township_officer, complaint=first, at=at("2024-01-05"))
    services.complaint_reply(actor=township_officer, complaint=first, reply_text="已核实并整改", at=at("2024-01-13"))
    petition = _complaint(county_officer, "2024-01-10", channel="petition")
    late = _complaint(county_officer, "2024-02-01")
    assert petition.reply_deadline == datetime.date(2024, 3, 10) and late.reply_deadline == datetime.date(2024, 2, 16)
    summary = complaint_summary(area_code=COUNTY, as_of=datetime.date(2024, 2, 20), since=datetime.date(2024, 1, 5))
    assert summary["received"] == {"total": 3, "since": 2}
    assert summary["overdue"] == 1 and summary["replied"] == 1 and summary["closed"] == 0
    assert summary["average_days_to_reply"] == Decimal("10.00")
    assert summary["by_status"] == {"received": 2, "assigned": 0, "handling": 0, "replied": 1, "closed": 0}
    assert [(row["channel"], row["received"], row["overdue"]) for row in summary["by_channel"]] == [
        ("hotline_12317", 2, 1), ("petition", 1, 0)]
    # A later close and a reply to the late one leave 20 February's figures alone.
    services.complaint_close(actor=county_officer, complaint=first, at=at("2024-02-25"))
    assert complaint_summary(area_code=COUNTY, as_of=datetime.date(2024, 2, 20), since=datetime.date(2024, 1, 5)) == summary
    # On 12 January the first complaint was still being handled.
    early = complaint_summary(area_code=COUNTY, as_of=datetime.date(2024, 1, 12))
    assert early["by_status"]["handling"] == 1 and early["average_days_to_reply"] is None
    assert early["received"] == {"total": 2, "since": 2}
    # The township sees the first complaint only from its assignment on.
    assert complaint_summary(area_code=TOWNSHIP, as_of=datetime.date(2024, 1, 3))["received"]["total"] == 0
    assert complaint_summary(area_code=TOWNSHIP, as_of=datetime.date(2024, 1, 4))["received"]["total"] == 1
    assert complaint_summary(area_code=VILLAGE_B, as_of=datetime.date(2024, 3, 1))["received"]["total"] == 0
