"""The demo loader: one inspection per 2017 source, the 4 named 大类, every state, overdue and closed items,
12317 complaints; deterministic and idempotent."""
import pytest
from django.utils import timezone

from oversight.demo import load_demo_oversight
from oversight.models import Complaint, Escalation, Inspection, RectificationItem
from oversight.selectors import complaint_summary, rectification_summary
from villages.demo import load_demo_areas


@pytest.mark.django_db
def test_demo_ledgers_are_complete_and_loaded_once():
    load_demo_areas()
    assert load_demo_oversight() == 40
    assert load_demo_oversight() == 0
    assert sorted(Inspection.objects.values_list("source_kind", flat=True)) == [
        "assessment", "cross_check", "self_check", "special_supervision", "tour_inspection"]
    assert set(RectificationItem.objects.values_list("finding__category", flat=True)) == {
        "目标精准把握", "政策举措落实", "帮扶工作", "扶贫资金使用管理"}
    assert set(RectificationItem.objects.values_list("status", flat=True)) == {
        "open", "in_progress", "submitted", "verified", "closed", "reopened"}
    summary = rectification_summary(area_code="530427000000", as_of=timezone.localdate())
    assert summary["totals"]["total"] == 40 and summary["totals"]["closed"] == 10
    assert summary["totals"]["overdue"] == 10 and summary["totals"]["escalations"] == Escalation.objects.count() == 5
    complaints = complaint_summary(area_code="530427000000", as_of=timezone.localdate())
    assert Complaint.objects.count() == 6 and complaints["by_status"]["closed"] == 1 and complaints["overdue"] == 1
