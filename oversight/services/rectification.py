"""Writes of the 问题整改台账 (DOMAIN.md §5.10). One service per transition: each checks capability and area
(``require``), refuses skipped steps and self-verification, locks the item (``select_for_update``) and writes the
history row and the audit event in the same transaction.

OPEN → IN_PROGRESS (progress note) → SUBMITTED (申请销号, evidence frozen) → VERIFIED (对账, issuer level, not the
submitter) → CLOSED (销号, county level or above, neither the submitter nor the verifier: §5.0 rule 2);
SUBMITTED → REOPENED (对账退回); VERIFIED/CLOSED → REOPENED (重新整改); REOPENED → IN_PROGRESS (progress note).
"""
import datetime
import hashlib

from django.db import transaction
from django.db.models import Max

from accounts.conflicts import check_version
from accounts.services import audit_record
from povalleviation.access import Capability, require
from povalleviation.actors import saved_user
from povalleviation.digests import SPACED_STRICT, json_sha256
from povalleviation.errors import ApplicationError, Conflict, PermissionDenied
from villages.codes import county_code

from ..choices import (
    DEFAULT_RECTIFICATION_DAYS,
    WORKABLE_ITEM_STATUSES,
    EscalationKind,
    ItemEvent,
    ItemStatus,
)
from ..models import Escalation, Finding, Inspection, ProgressNote, RectificationHistory, RectificationItem
from .common import event_time, required_text, same_person, save

# The form RectificationItem.submission_sha256 has always been computed in; changing it would break stored digests.
SUBMISSION_JSON = SPACED_STRICT
INSPECTION_FIELDS = ("title", "source_kind", "document_number", "issuer_unit", "started_on", "ended_on", "feedback_on",
                     "default_deadline", "qualitative_summary", "quantitative_summary")


def _audit(actor, action, target, area_code, summary, changes=None):
    audit_record(actor=actor, action=f"rectification.{action}", target=target, area_code=area_code, summary=summary,
                 changes=changes or {})


@transaction.atomic
def inspection_create(*, actor, issuer_area, area, data: dict, findings=(), is_demo: bool = False) -> Inspection:
    """Register an inspection with its 督查报告 and, optionally, its finding tree.

    ``findings``: ``[{"category", "text", "items": [{"problem", "area", "responsible_unit", "responsible_person",
    "deadline" (optional), "measures"}]}]``. Without ``default_deadline`` the 整改时限 defaults to the feedback
    date + ``DEFAULT_RECTIFICATION_DAYS``.
    """
    require(actor, Capability.INSPECTION_MANAGE, issuer_area.code)
    if not issuer_area.contains(area):
        raise ApplicationError("被检查区域必须是组织单位所在区域或其下级区域。", field_errors={"area": "不在组织单位的区域内"})
    values = {k: data[k] for k in INSPECTION_FIELDS if k in data and data[k] not in (None, "")}
    if values.get("feedback_on") and not values.get("default_deadline"):
        values["default_deadline"] = values["feedback_on"] + datetime.timedelta(days=DEFAULT_RECTIFICATION_DAYS)
    inspection = Inspection(issuer_area=issuer_area, area=area, area_code=area.code, created_by=saved_user(actor),
                            is_demo=is_demo, **values)
    if inspection.feedback_on and inspection.ended_on and inspection.feedback_on < inspection.ended_on:
        raise ApplicationError("反馈日期不能早于检查结束日期。", field_errors={"feedback_on": "早于检查结束日期"})
    save(inspection)
    _audit(actor, "inspection_create", inspection, area.code, f"登记督查检查：{inspection.title}")
    for finding_data in findings:
        finding = finding_add(actor=actor, inspection=inspection, category=finding_data["category"],
                              text=finding_data["text"])
        for item in finding_data.get("items", ()):
            rectification_item_create(actor=actor, finding=finding, **item)
    return inspection


@transaction.atomic
def finding_add(*, actor, inspection: Inspection, category: str, text: str) -> Finding:
    """Add one 条 under a 大类 (category names are free text per inspection, DOMAIN.md Q25)."""
    inspection = Inspection.objects.select_for_update().select_related("issuer_area").get(pk=inspection.pk)
    require(actor, Capability.INSPECTION_MANAGE, inspection.issuer_area.code)
    number = (inspection.findings.aggregate(n=Max("number"))["n"] or 0) + 1
    finding = Finding(inspection=inspection, category=required_text(category, "category", "问题大类"),
                      number=number, text=required_text(text, "text", "问题条目"))
    save(finding)
    return finding


@transaction.atomic
def inspection_items_add(*, actor, inspection: Inspection, findings) -> int:
    """补充具体问题 to an existing inspection, all or nothing: each 条 (大类, 条目) is reused when it exists, else added;
    each item is 交办 under it. Returns how many items were added."""
    existing = {(f.category, f.text): f for f in inspection.findings.all()}
    count = 0
    for data in findings:
        finding = existing.get((data["category"], data["text"])) or finding_add(
            actor=actor, inspection=inspection, category=data["category"], text=data["text"])
        existing[(finding.category, finding.text)] = finding
        for item in data["items"]:
            rectification_item_create(actor=actor, finding=finding, **item)
            count += 1
    return count


def _history(item, *, actor, event, from_status, at, note=""):
    RectificationHistory.objects.create(item=item, event=event, from_status=from_status, to_status=item.status,
                                        deadline=item.deadline, actor=saved_user(actor), at=at, note=note[:500])
    _audit(actor, event, item, item.area_code, f"{ItemEvent(event).label}：{item.title}",
           {"from": from_status, "to": item.status, "deadline": str(item.deadline), "note": note[:200]})


@transaction.atomic
def rectification_item_create(*, actor, finding: Finding, area, problem: str, responsible_unit: str,
                              responsible_person: str, deadline: datetime.date | None = None, measures: str = "",
                              at: datetime.datetime | None = None) -> RectificationItem:
    """交办 one 具体问题 to a responsible unit and person inside the inspected area (status OPEN)."""
    finding = Finding.objects.select_related("inspection__issuer_area", "inspection__area").get(pk=finding.pk)
    inspection = finding.inspection
    require(actor, Capability.INSPECTION_MANAGE, inspection.issuer_area.code)
    if not inspection.area.contains(area):
        raise ApplicationError(f"责任区域必须在被检查区域{inspection.area.name}范围内。",
                               field_errors={"area": "不在被检查区域内"})
    item = RectificationItem(
        finding=finding, problem=required_text(problem, "problem", "具体问题"), area=area, area_code=area.code,
        responsible_unit=required_text(responsible_unit, "responsible_unit", "整改责任单位"),
        responsible_person=required_text(responsible_person, "responsible_person", "责任人"),
        deadline=deadline or inspection.default_deadline, measures=measures, status=ItemStatus.OPEN,
        created_at=event_time(at),
    )
    save(item)
    _history(item, actor=actor, event=ItemEvent.CREATE, from_status="", at=item.created_at)
    return item


def _lock(item, expected_version: int | None = None) -> RectificationItem:
    """The locked row; a 409 naming who changed it when ``expected_version`` (the version the caller read) is stale."""
    item = (RectificationItem.objects.select_for_update(of=("self",))
            .select_related("finding__inspection__issuer_area").get(pk=item.pk))
    check_version(item, expected_version, noun="该整改事项")
    return item


def _last_at(item):
    return item.history.order_by("-at", "-id").values_list("at", flat=True).first()


def _refuse(item, action_label):
    raise Conflict(f"整改事项处于“{item.get_status_display()}”状态，不能{action_label}。")


@transaction.atomic
def rectification_progress_add(*, actor, item: RectificationItem, text: str, evidence=None,
                               at: datetime.datetime | None = None) -> ProgressNote:
    """逐项整改: the responsible unit reports progress with optional evidence; OPEN/REOPENED → IN_PROGRESS.

    Refused once 申请销号 froze the evidence (SUBMITTED and later).
    """
    item = _lock(item)
    require(actor, Capability.RECTIFICATION_WORK, item.area_code)
    if item.status not in WORKABLE_ITEM_STATUSES:
        _refuse(item, "报送整改进展（申请销号后材料已冻结）")
    when = event_time(at, after=_last_at(item))
    note = ProgressNote(item=item, text=required_text(text, "text", "整改进展"), author=saved_user(actor), at=when)
    if evidence is not None:
        hasher = hashlib.sha256()
        for chunk in evidence.chunks():
            hasher.update(chunk)
        evidence.seek(0)
        note.evidence, note.evidence_name, note.evidence_sha256 = evidence, evidence.name[:200], hasher.hexdigest()
    save(note)
    if item.status in {ItemStatus.OPEN, ItemStatus.REOPENED}:
        before, item.status = item.status, ItemStatus.IN_PROGRESS
        item.version += 1
        item.save(update_fields=["status", "version", "updated_at"])
        _history(item, actor=actor, event=ItemEvent.PROGRESS, from_status=before, at=when, note=note.text)
    else:
        _audit(actor, ItemEvent.PROGRESS, item, item.area_code, f"报送整改进展：{item.title}", {"note": note.text[:200]})
    return note


def item_evidence_snapshot(item: RectificationItem, summary: str) -> dict:
    """What 申请销号 is decided on: the summary and every progress note with its evidence hash."""
    return {
        "item": item.pk, "problem": item.problem, "deadline": str(item.deadline), "summary": summary,
        "notes": [{"id": n.pk, "at": n.at.isoformat(), "text": n.text, "evidence": n.evidence_name,
                   "sha256": n.evidence_sha256} for n in item.progress_notes.order_by("at", "id")],
    }


@transaction.atomic
def rectification_item_submit(*, actor, item: RectificationItem, summary: str,
                              at: datetime.datetime | None = None,
                              expected_version: int | None = None) -> RectificationItem:
    """申请销号: IN_PROGRESS → SUBMITTED; the evidence is frozen in a snapshot with its SHA-256."""
    item = _lock(item, expected_version)
    require(actor, Capability.RECTIFICATION_WORK, item.area_code)
    if item.status != ItemStatus.IN_PROGRESS:
        if item.status in {ItemStatus.OPEN, ItemStatus.REOPENED}:
            raise Conflict("请先报送整改进展和佐证材料，再申请销号。")
        _refuse(item, "申请销号")
    summary = required_text(summary, "summary", "整改情况说明")
    when = event_time(at, after=_last_at(item))
    item.submission = item_evidence_snapshot(item, summary)
    item.submission_sha256 = json_sha256(item.submission, SUBMISSION_JSON)
    before, item.status, item.submitted_by = item.status, ItemStatus.SUBMITTED, saved_user(actor)
    item.version += 1
    item.save(update_fields=["status", "submission", "submission_sha256", "submitted_by", "version", "updated_at"])
    _history(item, actor=actor, event=ItemEvent.SUBMIT, from_status=before, at=when, note=summary)
    return item


@transaction.atomic
def rectification_item_verify(*, actor, item: RectificationItem, passed: bool, note: str = "",
                              at: datetime.datetime | None = None,
                              expected_version: int | None = None) -> RectificationItem:
    """对账 at the issuer's level: the evidence is checked against the ledger; passed → VERIFIED, otherwise
    退回 → REOPENED with a reason. The submitter can never verify his own item."""
    item = _lock(item, expected_version)
    require(actor, Capability.RECTIFICATION_VERIFY, item.finding.inspection.issuer_area.code)
    if item.status != ItemStatus.SUBMITTED:
        _refuse(item, "对账")
    if same_person(actor, item.submitted_by_id):
        raise PermissionDenied("申请销号人不能对自己的整改事项对账。")
    if not passed:
        note = required_text(note, "note", "退回理由")
    when = event_time(at, after=_last_at(item))
    before = item.status
    if passed:
        item.status, item.verified_by = ItemStatus.VERIFIED, saved_user(actor)
    else:
        item.status, item.submitted_by = ItemStatus.REOPENED, None
    item.version += 1
    item.save(update_fields=["status", "verified_by", "submitted_by", "version", "updated_at"])
    _history(item, actor=actor, event=ItemEvent.VERIFY if passed else ItemEvent.RETURN, from_status=before, at=when,
             note=note)
    return item


@transaction.atomic
def rectification_item_close(*, actor, item: RectificationItem, note: str = "",
                             at: datetime.datetime | None = None,
                             expected_version: int | None = None) -> RectificationItem:
    """销号: VERIFIED → CLOSED, confirmed at county level or above (a post covering the item's county), by
    someone other than the submitter and the verifier."""
    item = _lock(item, expected_version)
    try:
        require(actor, Capability.RECTIFICATION_VERIFY, county_code(item.area_code))
    except PermissionDenied as error:
        raise PermissionDenied("销号须经县级（或以上）确认，您没有在该县销号的权限。") from error
    if item.status != ItemStatus.VERIFIED:
        if item.status == ItemStatus.SUBMITTED:
            raise Conflict("该事项尚未对账，不能直接销号。")
        _refuse(item, "销号")
    if same_person(actor, item.submitted_by_id):
        raise PermissionDenied("申请销号人不能为自己的整改事项销号。")
    if same_person(actor, item.verified_by_id):
        raise PermissionDenied("对账人与销号人不能是同一人（不得连续办理两个环节）。")
    when = event_time(at, after=_last_at(item))
    before, item.status, item.closed_on = item.status, ItemStatus.CLOSED, when.date()
    item.version += 1
    item.save(update_fields=["status", "closed_on", "version", "updated_at"])
    _history(item, actor=actor, event=ItemEvent.CLOSE, from_status=before, at=when, note=note)
    return item


@transaction.atomic
def rectification_item_reopen(*, actor, item: RectificationItem, reason: str,
                              at: datetime.datetime | None = None,
                              expected_version: int | None = None) -> RectificationItem:
    """重新整改: a verified or closed item found not rectified goes back to the responsible unit; its history
    (and the earlier frozen evidence in the history notes) stays."""
    item = _lock(item, expected_version)
    require(actor, Capability.RECTIFICATION_VERIFY, item.finding.inspection.issuer_area.code)
    if item.status not in {ItemStatus.VERIFIED, ItemStatus.CLOSED}:
        _refuse(item, "重新整改")
    reason = required_text(reason, "reason", "重新整改理由")
    when = event_time(at, after=_last_at(item))
    before = item.status
    item.status, item.submitted_by, item.verified_by, item.closed_on = ItemStatus.REOPENED, None, None, None
    item.version += 1
    item.save(update_fields=["status", "submitted_by", "verified_by", "closed_on", "version", "updated_at"])
    _history(item, actor=actor, event=ItemEvent.REOPEN, from_status=before, at=when, note=reason)
    return item


@transaction.atomic
def rectification_item_set_deadline(*, actor, item: RectificationItem, deadline: datetime.date, reason: str,
                                    at: datetime.datetime | None = None,
                                    expected_version: int | None = None) -> RectificationItem:
    """调整整改时限 (issuer level, with a reason); the history keeps the earlier deadline for past reports."""
    item = _lock(item, expected_version)
    require(actor, Capability.INSPECTION_MANAGE, item.finding.inspection.issuer_area.code)
    if item.status == ItemStatus.CLOSED:
        _refuse(item, "调整整改时限")
    reason = required_text(reason, "reason", "调整理由")
    when = event_time(at, after=_last_at(item))
    old, item.deadline = item.deadline, deadline
    item.version += 1
    item.save(update_fields=["deadline", "version", "updated_at"])
    _history(item, actor=actor, event=ItemEvent.DEADLINE, from_status=item.status, at=when,
             note=f"{old} → {deadline}：{reason}")
    return item


@transaction.atomic
def escalation_record(*, actor, item: RectificationItem, kind: str, escalated_on: datetime.date, target: str,
                      note: str = "") -> Escalation:
    """约谈 / 通报 the responsible unit of an item still open past its 整改时限 on ``escalated_on``."""
    item = _lock(item)
    require(actor, Capability.INSPECTION_MANAGE, item.finding.inspection.issuer_area.code)
    if kind not in EscalationKind.values:
        raise ApplicationError("请选择约谈或通报。", field_errors={"kind": "方式有误"})
    if item.status == ItemStatus.CLOSED or item.deadline >= escalated_on:
        raise Conflict("只有超过整改时限仍未销号的事项才能约谈或通报。")
    escalation = Escalation(item=item, kind=kind, escalated_on=escalated_on,
                            target=required_text(target, "target", "约谈/通报对象"), note=note,
                            actor=saved_user(actor))
    save(escalation)
    _audit(actor, f"escalation_{kind}", item, item.area_code,
           f"{EscalationKind(kind).label}：{escalation.target}（{item.title}）", {"on": str(escalated_on)})
    return escalation
