"""Writes of the fund ledger. Money moves only here, inside transactions that lock the allocation and
funding rows and update their totals with ``F()``; CHECK constraints make overspending impossible even
if a check here were wrong. Each write queues the county's spend-ratio recompute on commit."""
import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from accounts.conflicts import check_version
from accounts.history import record_changes
from accounts.services import audit_record
from households.money import yuan
from povalleviation.access import Capability, require
from povalleviation.actors import saved_user
from povalleviation.errors import ApplicationError, Conflict, PermissionDenied
from povalleviation.queue import send_on_commit
from projects.choices import PAYABLE_STATUSES
from projects.models import FundSource
from villages.codes import county_code

from .choices import RESPONSIBLE_FOR_CAUSE, DelayCause, DisbursementStatus, ResponsibleParty
from .delays import schedule_delay
from .models import Disbursement, FundAllocation, FundDelay, ProjectFunding

ALLOCATION_LEVELS = {"county", "township", "village"}


def _save(instance):
    try:
        instance.full_clean()
    except ValidationError as error:
        fields = {k: "；".join(v) for k, v in getattr(error, "message_dict", {}).items()}
        raise ApplicationError("；".join(fields.values()) or "；".join(error.messages), field_errors=fields) from error
    instance.save()


def _money(value) -> Decimal:
    amount = yuan(value)
    if amount <= 0:
        raise ApplicationError("金额必须大于 0", field_errors={"amount": "金额必须大于 0"})
    return amount


def _queue_recompute(area_code: str, year: int):
    """Recompute the county's spend ratios once the transaction commits (never inside it)."""
    county = county_code(area_code)
    send_on_commit("funds.tasks.recompute_fund_ratios_task", county_code=county, year=year)


@transaction.atomic
def fund_allocation_create(*, actor, source: FundSource, area, year: int, amount, document_number: str,
                           allocated_on: datetime.date, method: str = "factor", note: str = "",
                           published_on: datetime.date | None = None, publication_place: str = "",
                           is_demo: bool = False) -> FundAllocation:
    """资金下达: a source's money for an area (county, township or village) and fiscal year; with
    ``published_on`` its 分配结果 is also recorded as public (P-FD-08, see ``fund_allocation_publish``)."""
    require(actor, Capability.FUND_ALLOCATE, area.code)
    if area.level not in ALLOCATION_LEVELS:
        raise ApplicationError("资金只能下达到县、乡镇或行政村", field_errors={"area": "请选择县、乡镇或行政村"})
    allocation = FundAllocation(
        source=source, area=area, area_code=area.code, year=year, amount=_money(amount), document_number=document_number,
        allocated_on=allocated_on, method=method, note=note, created_by=saved_user(actor),
        is_demo=is_demo,
    )
    _save(allocation)
    audit_record(actor=actor, action="fund.allocate", target=allocation, area=area,
                 summary=f"下达 {year} 年 {source.name} {allocation.amount} 元到 {area.name}",
                 changes={"amount": str(allocation.amount), "source": source.code, "document": document_number})
    _queue_recompute(area.code, year)
    if published_on is not None:
        allocation = fund_allocation_publish(actor=actor, allocation=allocation, published_on=published_on,
                                             place=publication_place)
    return allocation


@transaction.atomic
def fund_allocation_publish(*, actor, allocation: FundAllocation, published_on: datetime.date,
                            place: str, expected_version: int | None = None) -> FundAllocation:
    """分配结果公开: 中央、省、市、县财政扶贫资金分配结果一律公开 (001_5bc03b4b95b81c94.txt §三(四);
    004_c61319f7ee03391d.txt §五(十九)); no 报账 against the allocation before it (P-FD-08).
    ``expected_version`` is the version the page showed: a stale one is a 409 naming who changed it."""
    allocation = FundAllocation.objects.select_for_update().select_related("area", "source").get(pk=allocation.pk)
    require(actor, Capability.FUND_ALLOCATE, allocation.area_code)
    check_version(allocation, expected_version, noun="该笔资金")
    if allocation.published_on is not None:
        raise Conflict(f"该笔资金的分配结果已于 {allocation.published_on} 公开。")
    if published_on < allocation.allocated_on:
        raise ApplicationError("公开日期不能早于下达日期。", field_errors={"published_on": "早于下达日期"})
    if not (place or "").strip():
        raise ApplicationError("请填写公开方式或地点（如县政府网站、公开栏）。", field_errors={"place": "必填"})
    allocation.published_on, allocation.publication_place = published_on, place.strip()[:200]
    allocation.version += 1
    _save(allocation)
    audit_record(actor=actor, action="fund.publish", target=allocation, area=allocation.area,
                 summary=f"公开资金分配结果：{allocation.source.name} {allocation.amount} 元（{allocation.document_number}）",
                 changes={"published_on": str(published_on), "place": allocation.publication_place,
                          "fields": ["published_on", "publication_place"]})
    return allocation


def _require_publication(allocation: FundAllocation, project, paid_on: datetime.date):
    """P-FD-08 (DOMAIN.md §4.3, §5.8 step 6, §5.9 Publish): the allocation's 分配结果 is public, and a 乡/村
    project's 项目安排 has been 公示, on or before the payment date."""
    from projects.choices import PublicityKind
    from projects.models import ProjectPublicity
    from villages.choices import AreaLevel, level_of_code

    if allocation.published_on is None or allocation.published_on > paid_on:
        reason = "尚未公开" if allocation.published_on is None else f"于 {allocation.published_on} 才公开"
        message = (f"资金分配结果{reason}（{allocation.document_number}），不能报账：分配结果须在支付日期 {paid_on} "
                   "之前公开（P-FD-08）。")
        raise ApplicationError(message, field_errors={"paid_on": "资金分配结果未在支付日期前公开"}, code="not_published")
    if level_of_code(project.area_code) in (AreaLevel.TOWNSHIP, AreaLevel.VILLAGE) and not ProjectPublicity.objects.filter(
            project=project, kind=PublicityKind.PLAN, published_on__lte=paid_on).exists():
        message = (f"项目“{project.name}”的项目安排尚未公示，不能报账：乡村两级项目安排须在支付日期 {paid_on} "
                   "之前公示（P-FD-08）。")
        raise ApplicationError(message, field_errors={"paid_on": "项目安排未在支付日期前公示"}, code="not_publicized")


@transaction.atomic
def project_funding_assign(*, actor, allocation: FundAllocation, project, amount) -> ProjectFunding:
    """安排资金到项目: part of an allocation to an approved project inside the receiving area."""
    amount = _money(amount)
    allocation = FundAllocation.objects.select_for_update().select_related("area", "source").get(pk=allocation.pk)
    require(actor, Capability.FUND_ALLOCATE, allocation.area_code)
    project = type(project).objects.select_for_update().get(pk=project.pk)
    if not project.area_code.startswith(allocation.area.scope_prefix):
        raise ApplicationError("项目不在该笔资金的接收区域内。", field_errors={"project": "项目不在资金接收区域内"})
    if project.status not in PAYABLE_STATUSES:
        raise Conflict("只能给已批复、未完结的项目安排资金。")
    if amount > allocation.unassigned_amount:
        raise ApplicationError(f"超出该笔资金未安排余额（{allocation.unassigned_amount} 元）。",
                               field_errors={"amount": "超出未安排余额"})
    funding, created = ProjectFunding.objects.select_for_update().get_or_create(
        allocation=allocation, project=project, defaults={"amount": amount}
    )
    if not created:
        ProjectFunding.objects.filter(pk=funding.pk).update(amount=F("amount") + amount)
    try:
        with transaction.atomic():
            FundAllocation.objects.filter(pk=allocation.pk).update(assigned_amount=F("assigned_amount") + amount)
    except IntegrityError as error:
        raise ApplicationError("超出该笔资金未安排余额。", field_errors={"amount": "超出未安排余额"}) from error
    funding.refresh_from_db()
    audit_record(actor=actor, action="fund.assign", target=funding, area_code=project.area_code,
                 summary=f"安排 {allocation.source.name} {amount} 元到项目 {project.name}",
                 changes={"amount": str(amount), "allocation": allocation.pk, "project": project.pk})
    return funding


@transaction.atomic
def fund_disburse(*, actor, funding: ProjectFunding, amount, paid_on: datetime.date, voucher_number: str,
                  payee: str = "", note: str = "", is_demo: bool = False) -> Disbursement:
    """报账: one payment against a voucher. Locks the funding and allocation rows, refuses a payment before the
    allocation's 分配结果 is public and the project's 项目安排 公示 (P-FD-08), refuses more than remains, and
    moves the totals with ``F()``; the CHECK constraints refuse overspending in any case."""
    amount = _money(amount)
    funding = ProjectFunding.objects.select_for_update().select_related("project", "allocation").get(pk=funding.pk)
    allocation = FundAllocation.objects.select_for_update().get(pk=funding.allocation_id)
    project = funding.project
    require(actor, Capability.DISBURSEMENT_RECORD, project.area_code)
    if project.status not in PAYABLE_STATUSES:
        raise Conflict(f"项目处于“{project.get_status_display()}”状态，不能报账（须已批复且未完结）。")
    if not voucher_number.strip():
        raise ApplicationError("请填写凭证号。", field_errors={"voucher_number": "必填"})
    if paid_on.year < allocation.year:
        raise ApplicationError("支付日期早于资金年度。", field_errors={"paid_on": "早于资金年度"})
    _require_publication(allocation, project, paid_on)
    if amount > funding.remaining_amount or amount > allocation.remaining_amount:
        remaining = min(funding.remaining_amount, allocation.remaining_amount)
        raise ApplicationError(f"报账金额超过剩余可用资金（{remaining} 元）。", field_errors={"amount": f"最多 {remaining} 元"})
    if Disbursement.objects.filter(allocation=allocation, voucher_number=voucher_number).exists():
        raise ApplicationError("该凭证号已登记。", field_errors={"voucher_number": "凭证号重复"})
    disbursement = Disbursement(
        funding=funding, allocation=allocation, project=project, source_id=allocation.source_id, year=allocation.year,
        area_code=allocation.area_code, project_area_code=project.area_code, paid_on=paid_on, amount=amount,
        voucher_number=voucher_number.strip(), payee=payee, note=note,
        recorded_by=saved_user(actor), is_demo=is_demo,
    )
    _save(disbursement)
    try:
        with transaction.atomic():
            ProjectFunding.objects.filter(pk=funding.pk).update(disbursed_amount=F("disbursed_amount") + amount)
            FundAllocation.objects.filter(pk=allocation.pk).update(disbursed_amount=F("disbursed_amount") + amount)
    except IntegrityError as error:
        raise ApplicationError("报账金额超过剩余可用资金。", field_errors={"amount": "超过剩余资金"}) from error
    audit_record(actor=actor, action="disbursement.record", target=disbursement, area_code=project.area_code,
                 summary=f"报账 {amount} 元（凭证 {voucher_number}）项目 {project.name}",
                 changes={"amount": str(amount), "voucher": voucher_number, "paid_on": str(paid_on)})
    _queue_recompute(allocation.area_code, allocation.year)
    return disbursement


def _release(disbursement):
    ProjectFunding.objects.filter(pk=disbursement.funding_id).update(disbursed_amount=F("disbursed_amount") - disbursement.amount)
    FundAllocation.objects.filter(pk=disbursement.allocation_id).update(
        disbursed_amount=F("disbursed_amount") - disbursement.amount
    )


def _review(actor, disbursement, *, capability, allowed_from, approve, note, reviewer_field, approved_status):
    disbursement = Disbursement.objects.select_for_update().get(pk=disbursement.pk)
    require(actor, capability, disbursement.project_area_code)
    if disbursement.status not in allowed_from:
        raise Conflict(f"该笔报账处于“{disbursement.get_status_display()}”状态，不能审核。")
    earlier = {disbursement.recorded_by_id, disbursement.township_reviewer_id} - {None}
    if actor is not None and actor.pk in earlier:
        raise PermissionDenied("登记人或上一环节审核人不能审核同一笔报账。")
    if not approve and not note.strip():
        raise ApplicationError("退回须填写审核意见。", field_errors={"note": "必填"})
    setattr(disbursement, reviewer_field, saved_user(actor))
    disbursement.review_note = note
    # Reports count a voucher by its status on their date: keep the status this review replaces.
    record_changes(disbursement, disbursement.pk, {"status": disbursement.status}, actor)
    disbursement.status = approved_status if approve else DisbursementStatus.REJECTED
    disbursement.save(update_fields=["status", "review_note", reviewer_field])
    if not approve:
        _release(disbursement)
        _queue_recompute(disbursement.area_code, disbursement.year)
    audit_record(actor=actor, action=f"disbursement.{'approve' if approve else 'reject'}", target=disbursement,
                 area_code=disbursement.project_area_code,
                 summary=f"报账 {disbursement.voucher_number} {disbursement.get_status_display()}", changes={"note": note})
    return disbursement


@transaction.atomic
def disbursement_review_township(*, actor, disbursement: Disbursement, approve: bool, note: str = "") -> Disbursement:
    """乡级审核 (not the person who recorded it). A county-level project's vouchers go straight to the county."""
    return _review(actor, disbursement, capability=Capability.DISBURSEMENT_REVIEW_TOWNSHIP,
                   allowed_from={DisbursementStatus.RECORDED}, approve=approve, note=note,
                   reviewer_field="township_reviewer", approved_status=DisbursementStatus.TOWNSHIP_CHECKED)


@transaction.atomic
def disbursement_review_county(*, actor, disbursement: Disbursement, approve: bool, note: str = "") -> Disbursement:
    """县级审核 → 已审核; a rejection at either level releases the money back to the allocation."""
    county_level = disbursement.project_area_code[6:].strip("0") == ""
    allowed = {DisbursementStatus.TOWNSHIP_CHECKED} | ({DisbursementStatus.RECORDED} if county_level else set())
    return _review(actor, disbursement, capability=Capability.DISBURSEMENT_REVIEW_COUNTY, allowed_from=allowed,
                   approve=approve, note=note, reviewer_field="county_reviewer", approved_status=DisbursementStatus.SETTLED)


@transaction.atomic
def fund_delay_record(*, actor, project, cause: str, note: str, recorded_on: datetime.date,
                      responsible_unit: str = "") -> FundDelay:
    """P-FD-10: attribute a project's schedule delay (and the money held up by it) to a cause; the cause
    decides the responsible party (财政部门, or 项目主管部门和项目实施单位). Only a delayed project."""
    project = type(project).objects.select_for_update().get(pk=project.pk)
    require(actor, Capability.FUND_ALLOCATE, project.area_code)
    if cause not in DelayCause.values:
        raise ApplicationError("请选择延误原因。", field_errors={"cause": "未知的延误原因"})
    delay = schedule_delay(project, recorded_on)
    if delay is None:
        raise Conflict(f"项目“{project.name}”截至 {recorded_on} 未延误（计划开工 {project.planned_start}，"
                       f"计划完工 {project.planned_finish}），无需认定延误原因。")
    if not (note or "").strip():
        raise ApplicationError("请填写情况说明。", field_errors={"note": "必填"})
    party = RESPONSIBLE_FOR_CAUSE[DelayCause(cause)]
    default_unit = "财政部门" if party == ResponsibleParty.FINANCE else project.responsible_unit
    record = FundDelay(project=project, area_code=project.area_code, kind=delay.kind, delay_days=delay.days, cause=cause,
                       responsible_party=party, responsible_unit=(responsible_unit or "").strip() or default_unit,
                       note=note.strip(), recorded_on=recorded_on, recorded_by=saved_user(actor))
    _save(record)
    audit_record(actor=actor, action="fund.delay_record", target=record, area_code=project.area_code,
                 summary=f"认定项目 {project.name} {delay.label}：{record.get_cause_display()}，责任 {record.get_responsible_party_display()}",
                 changes={"cause": cause, "days": delay.days, "unit": record.responsible_unit})
    return record


def unreviewed_vouchers_refusal(project) -> str:
    """A project is not 完结 while a voucher waits for review (§5.8 steps 10–12): ``projects.close_checks``."""
    waiting = project.disbursements.filter(status__in=[DisbursementStatus.RECORDED, DisbursementStatus.TOWNSHIP_CHECKED])
    return "还有未审核的报账，不能完结。" if waiting.exists() else ""

