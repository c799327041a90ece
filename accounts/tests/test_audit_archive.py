"""Retention: ``archive_audit`` writes rows older than the cut-off (at least 184 days) to a SHA-256-chained file,
registers the archive and removes exactly those rows; ``verify_audit_archive`` recomputes the chain."""
import datetime
import hashlib
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import AuditArchive, AuditEvent
from conftest import COUNTY, VILLAGE_A


def _event(days_ago: int, summary: str, area_code: str = VILLAGE_A) -> AuditEvent:
    # Written with an explicit time: the rows must really be old for the database trigger to let them go.
    return AuditEvent.objects.create(at=timezone.now() - datetime.timedelta(days=days_ago), action="household.update",
                                     summary=summary, area_code=area_code, username="cadre_a", role="village_cadre")


def _household_events() -> int:
    return AuditEvent.objects.filter(action="household.update").count()


def _run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def old_and_young(areas):
    old = [_event(400, "四百天前"), _event(300, "三百天前，含 =HYPERLINK(\"x\")"), _event(250, "二百五十天前")]
    young = [_event(100, "一百天前"), _event(1, "昨天")]
    return old, young


def test_cut_off_younger_than_184_days_is_refused(old_and_young, tmp_path):
    too_late = timezone.localdate() - datetime.timedelta(days=183)
    with pytest.raises(CommandError, match="保存满 184 天"):
        _run("archive_audit", "--before", too_late.isoformat(), "--output", str(tmp_path / "a.jsonl"))
    with pytest.raises(CommandError, match="格式不正确"):
        _run("archive_audit", "--before", "2026-13-01", "--output", str(tmp_path / "a.jsonl"))
    assert not (tmp_path / "a.jsonl").exists()
    assert _household_events() == 5 and not AuditArchive.objects.exists()


def test_archive_writes_a_verifiable_chain_and_removes_exactly_the_old_rows(old_and_young, tmp_path):
    old, young = old_and_young
    before = timezone.localdate() - datetime.timedelta(days=200)
    output = tmp_path / "audit-archive.jsonl"
    out = _run("archive_audit", "--before", before.isoformat(), "--output", str(output))
    assert "已归档 3 条审计日志" in out

    lines = output.read_text(encoding="utf-8").splitlines()
    header, *events, manifest = (json.loads(line) for line in lines)
    assert header["type"] == "header" and header["before"] == before.isoformat()
    assert [line["event"]["summary"] for line in events] == [event.summary for event in old]
    # The chain: the first link is the header line's hash, each next one covers the previous.
    head = hashlib.sha256(lines[0].encode()).hexdigest()
    for line in events:
        event_text = json.dumps(line["event"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        head = hashlib.sha256(f"{head}\n{event_text}".encode()).hexdigest()
        assert line["hash"] == head
    assert manifest == {"type": "manifest", "count": 3, "first_id": old[0].pk, "last_id": old[-1].pk,
                        "head_hash": head, "before": before.isoformat()}

    archive = AuditArchive.objects.get()
    assert (archive.event_count, archive.first_id, archive.last_id, archive.head_hash, archive.before) == (
        3, old[0].pk, old[-1].pk, head, before)
    assert archive.file_sha256 == hashlib.sha256(output.read_bytes()).hexdigest()

    remaining = set(AuditEvent.objects.filter(action="household.update").values_list("pk", flat=True))
    assert remaining == {event.pk for event in young}
    # The areas' creation events are young too and stay.
    assert AuditEvent.objects.filter(action="area.create").count() == 9
    record = AuditEvent.objects.get(action="audit.archive")
    assert record.object_id == str(archive.pk) and record.changes["file_sha256"] == archive.file_sha256
    assert record.area_code == VILLAGE_A and "归档审计日志 3 条" in record.summary

    verified = _run("verify_audit_archive", str(output))
    assert "校验通过：3 条记录" in verified and "与" in verified and "登记的归档一致" in verified


def test_a_modified_line_breaks_the_chain(old_and_young, tmp_path):
    before = timezone.localdate() - datetime.timedelta(days=200)
    output = tmp_path / "audit-archive.jsonl"
    _run("archive_audit", "--before", before.isoformat(), "--output", str(output))
    original = output.read_text(encoding="utf-8")

    output.write_text(original.replace("四百天前", "三百九十九天前"), encoding="utf-8")
    with pytest.raises(CommandError, match="第 2 行的哈希链校验失败"):
        _run("verify_audit_archive", str(output))

    lines = original.splitlines()
    output.write_text("\n".join([lines[0], lines[2], lines[1], *lines[3:]]) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 2 行的哈希链校验失败"):
        _run("verify_audit_archive", str(output))

    output.write_text("\n".join([*lines[:2], *lines[3:]]) + "\n", encoding="utf-8")  # one event removed
    with pytest.raises(CommandError, match="第 3 行的哈希链校验失败"):
        _run("verify_audit_archive", str(output))

    output.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # manifest cut off
    with pytest.raises(CommandError, match="校验失败"):
        _run("verify_audit_archive", str(output))


def test_nothing_old_enough_writes_nothing(areas, tmp_path):
    _event(10, "十天前")
    output = tmp_path / "empty.jsonl"
    out = _run("archive_audit", "--before", "2020-01-01", "--output", str(output))
    assert "没有早于 2020-01-01 的审计日志" in out
    assert not output.exists() and not AuditArchive.objects.exists() and _household_events() == 1


def test_existing_output_file_is_never_overwritten(old_and_young, tmp_path):
    output = tmp_path / "taken.jsonl"
    output.write_text("别的文件", encoding="utf-8")
    before = timezone.localdate() - datetime.timedelta(days=200)
    with pytest.raises(CommandError, match="已存在"):
        _run("archive_audit", "--before", before.isoformat(), "--output", str(output))
    assert output.read_text(encoding="utf-8") == "别的文件" and _household_events() == 5


def test_archiving_event_is_visible_to_the_auditor_of_the_archived_area(old_and_young, tmp_path, client_for, auditor):
    _event(300, "县级事件", area_code=COUNTY)
    before = timezone.localdate() - datetime.timedelta(days=200)
    _run("archive_audit", "--before", before.isoformat(), "--output", str(tmp_path / "a.jsonl"))
    record = AuditEvent.objects.get(action="audit.archive")
    assert record.area_code == COUNTY
    rows = client_for(auditor).get("/accounts/audit/", {"action": "audit.archive"}).context["object_list"]
    assert [row.pk for row in rows] == [record.pk]
