"""Rectification transitions: right and wrong role and area, no skipped steps, no self-verification, 销号 only
with county-level confirmation; refused actions change nothing."""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent
from conftest import COUNTY, OTHER_VILLAGE, VILLAGE_A
from oversight import services
from oversight.models import RectificationHistory
from oversight.tests.conftest import at, item_of, make_inspection
from povalleviation.errors import ApplicationError, Conflict, PermissionDenied
from villages.models import Area


def _status(item):
    item.refresh_from_db()
    return item.status


def test_full_cycle_writes_history_audit_and_a_frozen_snapshot(inspection, township_officer, county_officer,
                                                              county_verifier):
    item = item_of(inspection, 1)
    note = services.rectification_progress_add(actor=township_officer, item=item, text="已核实 12 户",
                                               evidence=SimpleUploadedFile("核实表.pdf", b"%PDF-1.4 evidence"))
    assert _status(item) == "in_progress" and len(note.evidence_sha256) == 64
    services.rectification_item_submit(actor=township_officer, item=item, summary="整改完成")
    item.refresh_from_db()
    assert item.status == "submitted" and item.submission["notes"][0]["evidence"] == "核实表.pdf"
    assert item.submission["notes"][0]["sha256"] == note.evidence_sha256 and len(item.submission_sha256) == 64
    with pytest.raises(Conflict):  # evidence frozen
        services.rectification_progress_add(actor=township_officer, item=item, text="补充")
    services.rectification_item_verify(actor=county_officer, item=item, passed=True)
    services.rectification_item_close(actor=county_verifier, item=item, note="同意销号")
    assert _status(item) == "closed"
    steps = list(RectificationHistory.objects.filter(item=item).values_list("event", "from_status", "to_status", "actor__username"))
    assert steps == [("create", "", "open", "county"), ("progress", "open", "in_progress", "township"),
                     ("submit", "in_progress", "submitted", "township"), ("verify", "submitted", "verified", "county"),
                     ("close", "verified", "closed", "county_verifier")]
    assert AuditEvent.objects.filter(action="rectification.close", object_id=str(item.pk)).count() == 1


def test_skipped_steps_are_refused(inspection, township_officer, county_officer, county_verifier):
    item = item_of(inspection, 1)
    with pytest.raises(Conflict, match="请先报送整改进展"):
        services.rectification_item_submit(actor=township_officer, item=item, summary="完成")
    with pytest.raises(Conflict):
        services.rectification_item_verify(actor=county_officer, item=item, passed=True)
    services.rectification_progress_add(actor=township_officer, item=item, text="进展")
    services.rectification_item_submit(actor=township_officer, item=item, summary="完成")
    with pytest.raises(Conflict, match="尚未对账"):
        services.rectification_item_close(actor=county_verifier, item=item)
    assert _status(item) == "submitted"


def test_submitter_cannot_verify_or_close_his_own_item(inspection, county_officer, county_verifier):
    item = item_of(inspection, 1)
    services.rectification_progress_add(actor=county_officer, item=item, text="县直部门整改")
    services.rectification_item_submit(actor=county_officer, item=item, summary="完成")
    with pytest.raises(PermissionDenied, match="不能对自己"):
        services.rectification_item_verify(actor=county_officer, item=item, passed=True)
    assert _status(item) == "submitted"
    services.rectification_item_verify(actor=county_verifier, item=item, passed=True)
    with pytest.raises(PermissionDenied, match="不能为自己"):
        services.rectification_item_close(actor=county_officer, item=item)
    with pytest.raises(PermissionDenied, match="同一人"):
        services.rectification_item_close(actor=county_verifier, item=item)
    assert _status(item) == "verified"


def test_closing_needs_county_level_confirmation(inspection, township_officer, county_officer, county_verifier,
                                                 city_officer):
    item = item_of(inspection, 1)
    services.rectification_progress_add(actor=township_officer, item=item, text="进展")
    services.rectification_item_submit(actor=township_officer, item=item, summary="完成")
    with pytest.raises(PermissionDenied):
        services.rectification_item_verify(actor=township_officer, item=item, passed=True)
    services.rectification_item_verify(actor=county_officer, item=item, passed=True)
    with pytest.raises(PermissionDenied, match="县级"):
        services.rectification_item_close(actor=township_officer, item=item)
    assert _status(item) == "verified"
    services.rectification_item_close(actor=city_officer, item=item)  # a post above the county also confirms
    assert _status(item) == "closed"


def test_wrong_area_and_wrong_role_are_refused(inspection, village_cadre_a, village_cadre_b, other_township_officer,
                                               auditor):
    item = item_of(inspection, 1)  # 太和村
    for outsider in (village_cadre_b, other_township_officer, auditor):
        with pytest.raises(PermissionDenied):
            services.rectification_progress_add(actor=outsider, item=item, text="进展")
    assert _status(item) == "open" and not item.progress_notes.exists()
    services.rectification_progress_add(actor=village_cadre_a, item=item, text="村里已整改")
    assert _status(item) == "in_progress"
    with pytest.raises(PermissionDenied):
        make_inspection(village_cadre_a, items=[("帮扶工作", VILLAGE_A, datetime.date(2024, 3, 1))])


def test_return_and_reopen_keep_history(inspection, township_officer, county_officer, county_verifier):
    item = item_of(inspection, 1)
    services.rectification_progress_add(actor=township_officer, item=item, text="进展")
    services.rectification_item_submit(actor=township_officer, item=item, summary="完成")
    with pytest.raises(ApplicationError, match="退回理由"):
        services.rectification_item_verify(actor=county_officer, item=item, passed=False)
    services.rectification_item_verify(actor=county_officer, item=item, passed=False, note="佐证不足")
    assert _status(item) == "reopened"
    services.rectification_progress_add(actor=township_officer, item=item, text="补充佐证")
    services.rectification_item_submit(actor=township_officer, item=item, summary="再次申请")
    services.rectification_item_verify(actor=county_officer, item=item, passed=True)
    services.rectification_item_close(actor=county_verifier, item=item)
    services.rectification_item_reopen(actor=county_officer, item=item, reason="回访发现问题反弹")
    item.refresh_from_db()
    assert item.status == "reopened" and item.closed_on is None
    assert list(item.history.values_list("to_status", flat=True)) == [
        "open", "in_progress", "submitted", "reopened", "in_progress", "submitted", "verified", "closed", "reopened"]


def test_item_area_must_lie_in_the_inspected_area(inspection, county_officer, areas):
    finding = inspection.findings.first()
    with pytest.raises(ApplicationError, match="被检查区域"):
        services.rectification_item_create(actor=county_officer, finding=finding, area=areas[OTHER_VILLAGE],
                                           problem="问题", responsible_unit="水塘镇", responsible_person="李")
    assert finding.items.count() == 1


def test_deadline_defaults_from_the_feedback_date(county_officer, areas):
    inspection = services.inspection_create(
        actor=county_officer, issuer_area=areas[COUNTY], area=Area.objects.get(code=VILLAGE_A),
        data={"title": "暗访", "source_kind": "unannounced", "issuer_unit": "县督查组", "started_on": datetime.date(2024, 1, 1),
              "ended_on": datetime.date(2024, 1, 2), "feedback_on": datetime.date(2024, 1, 10)},
        findings=[{"category": "帮扶工作", "text": "走访不到位", "items": [
            {"problem": "帮扶干部未按月走访", "area": areas[VILLAGE_A], "responsible_unit": "太和村",
             "responsible_person": "村支书"}]}])
    assert inspection.default_deadline == datetime.date(2024, 4, 9)
    assert inspection.findings.get().items.get().deadline == datetime.date(2024, 4, 9)


def test_escalation_only_for_overdue_open_items(inspection, county_officer, township_officer):
    item = item_of(inspection, 3)  # deadline 2024-06-30
    with pytest.raises(Conflict):
        services.escalation_record(actor=county_officer, item=item, kind="talk", escalated_on=datetime.date(2024, 6, 30),
                                   target="老厂乡")
    with pytest.raises(PermissionDenied):
        services.escalation_record(actor=township_officer, item=item, kind="talk", escalated_on=datetime.date(2024, 7, 1),
                                   target="老厂乡")
    escalation = services.escalation_record(actor=county_officer, item=item, kind="circular",
                                            escalated_on=datetime.date(2024, 7, 1), target="老厂乡")
    assert escalation.get_kind_display() == "通报" and item.escalations.count() == 1


def test_steps_cannot_be_dated_in_the_future_or_before_the_previous_step(inspection, township_officer):
    item = item_of(inspection, 1)
    with pytest.raises(ApplicationError, match="早于上一环节"):
        services.rectification_progress_add(actor=township_officer, item=item, text="进展", at=at("2024-01-09"))
    with pytest.raises(ApplicationError, match="晚于当前时间"):
        services.rectification_progress_add(actor=township_officer, item=item, text="进展", at=at("2999-01-01"))
    assert _status(item) == "open"
