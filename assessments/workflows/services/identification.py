"""Identification (识别纳入) and the yearly 动态调整: 农户申请 → 村民主评议 → 村公示 → 乡镇审核 → 乡公示 → 比对与
县级审定 → 公告 (DOMAIN.md §5.5, ⚠ national "两公示一比对一公告"; 000_6ea9a56b91abd59f.txt §三(四) "有进有出";
001_5bc03b4b95b81c94.txt §三(一) 逐户核对).

The household is registered as 拟识别 (CANDIDATE) at application — its members then count for the
one-person-one-household rule — and becomes 建档立卡 (IDENTIFIED) at 公告, in the year of the announcement.
A rejected or withdrawn application is archived (剔除). The 比对 checks every member against the register and
the departments' lists loaded for the county (``ExternalListEntry``).
"""

from django.db import transaction
from django.utils import timezone

from accounts.services import audit_record
from assessments.workflows.models import (
    BLOCKING_LIST_KINDS,
    ComparisonMatch,
    ExternalListEntry,
    ExternalListKind,
    Verification,
    WorkflowType,
)
from households.choices import HouseholdStatus
from households.idnumber import IdNumberError, mask_id_number, validate_id_number
from households.models import Member
from households.services import household_register, household_update
from povalleviation.access import Capability, require
from povalleviation.actors import saved_user
from povalleviation.errors import ApplicationError
from povalleviation.queue import send_on_commit
from villages.codes import county_code

from .common import (
    ANY_VERSION,
    Action,
    lock_for_step,
    register,
    require_note,
    save_with_event,
)
from .household_handler import HouseholdHandler
from .snapshots import household_snapshot


def _comparison_summary(verification) -> list[dict]:
    return [
        {
            "person": m.person_name,
            "id": m.masked_id_number,
            "source": m.source,
            "detail": m.detail,
            "blocking": m.is_blocking,
            "explanation": m.explanation,
        }
        for m in ComparisonMatch.objects.filter(verification=verification).order_by("id")
    ]


@register
class IdentificationHandler(HouseholdHandler):
    workflow_type = WorkflowType.IDENTIFICATION
    publicity_title = "{year} 年拟纳入建档立卡贫困户公示"
    completed_status = HouseholdStatus.IDENTIFIED
    completed_reason = "识别纳入公告（{announced_year} 年）"
    held_status = HouseholdStatus.CANDIDATE
    ended_status = HouseholdStatus.REMOVED
    ended_reason = "识别纳入未通过或撤回：{reason}"

    def snapshot(self, verification) -> dict:
        snapshot = household_snapshot(verification.household, verification.year)
        snapshot["comparison"] = _comparison_summary(verification)
        return snapshot

    def check_before_completing(self, verification, step, *, actor, snapshot):
        if step["kind"] != "comparison":
            return
        ran = verification.events.filter(
            action=Action.COMPARISON_RUN, step_position=verification.position, at__gte=verification.step_since
        ).exists()
        if not ran:
            raise ApplicationError("请先进行信息比对，再作出审定。", code="comparison_missing")
        unexplained = [m for m in snapshot["comparison"] if m["blocking"] and not m["explanation"]]
        if unexplained:
            raise ApplicationError(
                f"比对发现 {len(unexplained)} 条“不符合识别条件”的情况尚未核实说明："
                + "；".join(f"{m['person']}（{m['detail']}）" for m in unexplained),
                code="comparison_unexplained",
            )

    def on_step_reached(self, verification):
        if verification.waiting_step and verification.waiting_step["kind"] == "comparison":
            send_on_commit("assessments.run_identification_comparison", verification.pk)

    def on_complete(self, verification, *, actor, today, snapshot):
        household = super().on_complete(verification, actor=actor, today=today, snapshot=snapshot)
        if household.identification_year != today.year:
            # The record starts in the year it was announced; the workflow's actor had
            # the right to decide that, so the update runs as the installation.
            household_update(actor=None, household=household, data={"identification_year": today.year})


@transaction.atomic
def identification_apply(
    *, actor, area, data: dict, members: list[dict], note: str, year: int | None = None, today=None
) -> Verification:
    """农户申请: register the applicant household as 拟识别 and start the identification chain."""
    handler = IdentificationHandler()
    year, note = handler.require_starter(
        actor, area, year=year, today=today, note=note, note_label="申请理由"
    )
    household = household_register(
        actor=actor,
        area=area,
        data={**data, "identification_year": year},
        members=members,
        status=HouseholdStatus.CANDIDATE,
        registered_on=today,
    )
    return handler.start(actor=actor, household=household, year=year, note=note, prior_household_status="")


def compare_members(verification) -> list[ComparisonMatch]:
    """Members against the departments' lists of the county and against earlier registrations (3 queries)."""
    household = verification.household
    members = list(Member.objects.filter(household=household, is_registered=True).order_by("id"))
    by_number = {m.id_number: m for m in members}
    now = timezone.now()

    def match(member, *, source, source_label, detail, blocking=False):
        return ComparisonMatch(
            verification=verification,
            member=member,
            person_name=member.name,
            masked_id_number=mask_id_number(member.id_number),
            source=source,
            source_label=source_label,
            detail=detail,
            is_blocking=blocking,
            run_at=now,
        )

    matches = []
    entries = ExternalListEntry.objects.filter(
        area__code=county_code(household.area_code), id_number__in=list(by_number)
    )
    for entry in entries.order_by("kind", "id"):
        member = by_number[entry.id_number]
        blocking = entry.kind in BLOCKING_LIST_KINDS
        detail = f"在{entry.get_kind_display()}名单中" + (f"（{entry.note}）" if entry.note else "")
        detail += "，不符合识别条件，须核实说明" if blocking else "，供参考"
        matches.append(
            match(
                member,
                source=entry.kind,
                source_label=entry.get_kind_display(),
                detail=detail,
                blocking=blocking,
            )
        )
    earlier = (
        Member.objects.filter(id_number__in=list(by_number))
        .exclude(household=household)
        .select_related("household")
    )
    for other in earlier.order_by("id"):
        matches.append(
            match(
                by_number[other.id_number],
                source="registry",
                source_label="建档立卡系统",
                detail=f"曾登记在户编号 {other.household.household_number}（{other.household.get_status_display()}）",
            )
        )
    return matches


@transaction.atomic
def identification_compare(*, actor, verification, version=None) -> list[ComparisonMatch]:
    """比对: record the matches anew; explanations already written for the same person and list are kept.
    A person passes the ``version`` the page showed; the queued task runs on whatever is current."""
    verification, step = lock_for_step(
        actor,
        verification,
        version=ANY_VERSION if version is None else version,
        kind="comparison",
        other_kind="流程当前待“{label}”，不是比对步骤。",
    )
    previous = {(m.member_id, m.source): m for m in verification.matches.exclude(explanation="")}
    verification.matches.all().delete()
    matches = compare_members(verification)
    for match in matches:
        kept = previous.get((match.member_id, match.source))
        if kept is not None:
            match.explanation, match.explained_by_id, match.explained_at = (
                kept.explanation,
                kept.explained_by_id,
                kept.explained_at,
            )
    ComparisonMatch.objects.bulk_create(matches)
    save_with_event(
        verification,
        action=Action.COMPARISON_RUN,
        actor=actor,
        step=step,
        details={"matches": len(matches), "blocking": sum(m.is_blocking for m in matches)},
        snapshot={"comparison": _comparison_summary(verification)},
    )
    return matches


@transaction.atomic
def comparison_match_explain(*, actor, match, version, explanation: str) -> ComparisonMatch:
    """核实说明 for one 比对 hit, written by the county officer who decides."""
    verification, step = lock_for_step(
        actor,
        match.verification,
        version=version,
        kind="comparison",
        other_kind="只能在比对审定步骤填写核实说明。",
    )
    match = ComparisonMatch.objects.select_for_update().get(pk=match.pk, verification=verification)
    match.explanation = require_note(explanation, "核实说明")
    match.explained_by = saved_user(actor)
    match.explained_at = timezone.now()
    match.save(update_fields=["explanation", "explained_by", "explained_at"])
    save_with_event(
        verification,
        action=Action.MATCH_EXPLAINED,
        actor=actor,
        step=step,
        note=match.explanation,
        details={"match_id": match.pk, "person": match.person_name, "source": match.source},
    )
    return match


@transaction.atomic
def external_list_load(*, actor, area, kind: str, rows: list[dict], source_file: str = "") -> int:
    """Replace a county's list of one kind with the rows given (all or nothing: one bad row refuses the file).

    Each row: ``id_number``, ``name``, optional ``note``. Returns the number of entries loaded.
    """
    if area.level != "county":
        raise ApplicationError("比对名单按县导入，请选择县级区域。", field_errors={"area": "请选择县"})
    require(actor, Capability.IDENTIFICATION_APPROVE_COUNTY, area.code)
    if kind not in ExternalListKind.values:
        raise ApplicationError(f"未知的名单类别：{kind}", field_errors={"kind": "未知的名单类别"})
    errors, entries = [], []
    today = timezone.localdate()
    for index, row in enumerate(rows, start=2):
        name = str(row.get("name") or "").strip()
        try:
            number = validate_id_number(str(row.get("id_number") or ""), today=today).number
        except IdNumberError as error:
            errors.append(f"第 {index} 行：{error.message}")
            continue
        if not name:
            errors.append(f"第 {index} 行：缺少姓名")
            continue
        entries.append(
            ExternalListEntry(
                area=area,
                kind=kind,
                id_number=number,
                name=name,
                note=str(row.get("note") or "").strip()[:200],
                source_file=source_file[:200],
            )
        )
    if errors:
        raise ApplicationError(
            f"名单有 {len(errors)} 行错误，未导入：" + "；".join(errors[:20]),
            code="invalid_rows",
            field_errors={"rows": errors},
        )
    deleted, _ = ExternalListEntry.objects.filter(area=area, kind=kind).delete()
    ExternalListEntry.objects.bulk_create(entries, batch_size=1000)
    audit_record(
        actor=actor,
        action="external_list.load",
        area=area,
        summary=f"导入{area.name}{ExternalListKind(kind).label}名单 {len(entries)} 人（替换原有 {deleted} 人）",
        changes={"kind": kind, "loaded": len(entries), "replaced": deleted, "source_file": source_file},
    )
    return len(entries)
