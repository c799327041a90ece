"""Complaint lifecycle: RECEIVED → ASSIGNED → HANDLING → REPLIED → CLOSED, deadlines, areas and households."""
import datetime

import pytest

from conftest import COUNTY, OTHER_TOWNSHIP, TOWNSHIP, VILLAGE_A, VILLAGE_B
from oversight import services
from oversight.models import Complaint
from oversight.tests.conftest import at
from povalleviation.errors import ApplicationError, Conflict, PermissionDenied


def _receive(actor, areas, **extra):
    data = {"channel": "hotline_12317", "received_at": at("2024-03-01"), "content": "反映低保评定不公"} | extra
    return services.complaint_receive(actor=actor, area=areas[COUNTY], **data)


def test_lifecycle_with_history(county_officer, township_officer, areas):
    complaint = _receive(county_officer, areas, complainant_name="王小明", complainant_phone="13800001234")
    assert complaint.number.startswith("TS2024-") and complaint.reply_deadline == datetime.date(2024, 3, 16)
    assert complaint.masked_name == "王**" and complaint.masked_phone == "138****1234"
    services.complaint_assign(actor=county_officer, complaint=complaint, area=areas[TOWNSHIP], handling_unit="老厂乡人民政府")
    services.complaint_start_handling(actor=township_officer, complaint=complaint)
    services.complaint_reply(actor=township_officer, complaint=complaint, reply_text="经核实，已重新评议")
    with pytest.raises(PermissionDenied):  # the township did not receive it: the county closes
        services.complaint_close(actor=township_officer, complaint=complaint)
    services.complaint_close(actor=county_officer, complaint=complaint)
    complaint.refresh_from_db()
    assert complaint.status == "closed" and complaint.area_code == TOWNSHIP and complaint.replied_at is not None
    assert list(complaint.history.values_list("to_status", "area_code")) == [
        ("received", COUNTY), ("assigned", TOWNSHIP), ("handling", TOWNSHIP), ("replied", TOWNSHIP), ("closed", TOWNSHIP)]


def test_skipped_steps_are_refused(county_officer, areas):
    complaint = _receive(county_officer, areas)
    with pytest.raises(Conflict, match="须先交办"):
        services.complaint_start_handling(actor=county_officer, complaint=complaint)
    with pytest.raises(Conflict):
        services.complaint_reply(actor=county_officer, complaint=complaint, reply_text="答复")
    with pytest.raises(Conflict):
        services.complaint_close(actor=county_officer, complaint=complaint)
    complaint.refresh_from_db()
    assert complaint.status == "received" and complaint.history.count() == 1


def test_wrong_role_and_area(county_officer, township_officer, other_township_officer, village_cadre_a, areas):
    with pytest.raises(PermissionDenied):
        _receive(village_cadre_a, areas)
    complaint = _receive(county_officer, areas)
    with pytest.raises(PermissionDenied):  # townships handle, they do not assign
        services.complaint_assign(actor=township_officer, complaint=complaint, area=areas[TOWNSHIP], handling_unit="x")
    services.complaint_assign(actor=county_officer, complaint=complaint, area=areas[TOWNSHIP], handling_unit="老厂乡")
    with pytest.raises(PermissionDenied):
        services.complaint_start_handling(actor=other_township_officer, complaint=complaint)
    complaint.refresh_from_db()
    assert complaint.status == "assigned"
    with pytest.raises(ApplicationError, match="下级区域"):
        other = _receive(county_officer, areas)
        services.complaint_assign(actor=county_officer, complaint=other, area=areas["530000000000"], handling_unit="省")


def test_household_must_lie_inside_the_area(county_officer, areas, household_a):
    with pytest.raises(ApplicationError, match="不在"):
        services.complaint_receive(actor=county_officer, area=areas[VILLAGE_B], channel="on_site",
                                   received_at=at("2024-03-01"), content="内容", household=household_a)
    complaint = services.complaint_receive(actor=county_officer, area=areas[VILLAGE_A], channel="on_site",
                                           received_at=at("2024-03-01"), content="内容", household=household_a)
    assert complaint.household == household_a
    county_case = _receive(county_officer, areas, household=household_a)
    with pytest.raises(ApplicationError, match="不在"):
        services.complaint_assign(actor=county_officer, complaint=county_case, area=areas[OTHER_TOWNSHIP], handling_unit="水塘镇")
    county_case.refresh_from_db()
    assert county_case.status == "received" and county_case.area_code == COUNTY


def test_deadlines_default_by_channel_and_are_editable(county_officer, areas):
    petition = _receive(county_officer, areas, channel="petition")
    assert petition.reply_deadline == datetime.date(2024, 4, 30)  # 信访: 60 days
    chosen = _receive(county_officer, areas, reply_deadline=datetime.date(2024, 3, 5))
    assert chosen.reply_deadline == datetime.date(2024, 3, 5)
    with pytest.raises(ApplicationError, match="不能早于受理日期"):
        _receive(county_officer, areas, reply_deadline=datetime.date(2024, 2, 1))
    services.complaint_set_deadline(actor=county_officer, complaint=petition, reply_deadline=datetime.date(2024, 5, 31),
                                    reason="情况复杂，延期")
    petition.refresh_from_db()
    assert petition.reply_deadline == datetime.date(2024, 5, 31)
    assert list(petition.history.values_list("reply_deadline", flat=True)) == [datetime.date(2024, 4, 30),
                                                                           datetime.date(2024, 5, 31)]
    assert Complaint.objects.count() == 2
