"""Writes of the 项目库. Every status change is one service: it checks capability and area, refuses
skip-level and self-approval, locks the row, writes a ``ProjectEvent`` with a snapshot and an audit event
(DOMAIN.md §5.0, §5.8)."""
import datetime
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.conflicts import check_version
from accounts.history import record_changes
from accounts.services import audit_record
from povalleviation.access import Capability, require
from povalleviation.actors import saved_user
from povalleviation.digests import SPACED_STRICT, json_sha256
from povalleviation.errors import ApplicationError, Conflict, PermissionDenied

from .choices import (
    APPROVED_STATUSES,
    CANCELLABLE_STATUSES,
    DEFAULT_SOURCES,
    EDITABLE_STATUSES,
    ObjectionStatus,
    ProjectEventType,
    ProjectStatus,
    PublicityKind,
)
from .close_checks import close_refusals
from .models import (
    FundSource,
    Project,
    ProjectBeneficiary,
    ProjectBudgetLine,
    ProjectEvent,
    ProjectObjection,
    ProjectPublicity,
)

PROJECT_LEVELS = {"county", "township", "village"}
EDITABLE_FIELDS = (
    "name", "category", "year", "responsible_unit", "description", "planned_start", "planned_finish",
    "expected_households", "expected_persons", "benefit_mechanism", "benefit_note",
)
# 公示 period when none is given: 7 calendar days (DOMAIN.md Q6 ⚠ default).
DEFAULT_PUBLICITY_DAYS = 7


def _validation_error(error: ValidationError) -> ApplicationError:
    fields = {k: "；".join(v) for k, v in getattr(error, "message_dict", {}).items()}
    return ApplicationError("；".join(fields.values()) or "；".join(error.messages), field_errors=fields)


def _save(instance):
    try:
        instance.full_clean()
    except ValidationError as error:
        raise _validation_error(error) from error
    instance.save()


def project_snapshot(project: Project) -> dict:
    """What a decision was taken on: plan, budget by source, beneficiary households (ids only)."""
    return {
        "number": project.number, "name": project.name, "area": project.area_code, "category": project.category,
        "year": project.year, "responsible_unit": project.responsible_unit,
        "planned": [str(project.planned_start), str(project.planned_finish)],
        "budget": {line.source.code: str(line.amount) for line in project.budget_lines.select_related("source")},
        "budget_total": str(project.budget_total),
        "expected": [project.expected_households, project.expected_persons],
        "beneficiaries": sorted(project.beneficiaries.filter(is_actual=False).values_list("household_id", flat=True)),
        "benefit_mechanism": project.benefit_mechanism,
    }


# The form ProjectEvent.snapshot_sha256 has always been computed in; changing it would break stored digests.
SNAPSHOT_JSON = SPACED_STRICT


def _event(project, *, actor, type, from_status="", to_status="", reason="", snapshot=None, fields=()):
    digest = json_sha256(snapshot, SNAPSHOT_JSON) if snapshot else ""
    event = ProjectEvent.objects.create(
        project=project, type=type, from_status=from_status, to_status=to_status, actor=saved_user(actor),
        reason=reason[:500], snapshot=snapshot or {}, snapshot_sha256=digest,
    )
    audit_record(actor=actor, action=f"project.{type}", target=project, area_code=project.area_code,
                 summary=f"{ProjectEventType(type).label}：{project.name}", changes={"from": from_status, "to": to_status,
                                                                                  "reason": reason[:200],
                                                                                  **({"fields": list(fields)} if fields else {})})
    return event


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update().select_related("area").get(pk=project.pk)


def _set_budget(project, budget):
    ProjectBudgetLine.objects.filter(project=project).delete()
    total = Decimal("0")
    seen = set()
    for line in budget:
        source, amount = line["source"], Decimal(str(line["amount"]))
        if source.pk in seen:
            raise ApplicationError(f"资金来源“{source.name}”重复", field_errors={"budget": "同一资金来源只能填一行"})
        seen.add(source.pk)
        if amount <= 0:
            raise ApplicationError("预算金额必须大于 0", field_errors={"budget": "预算金额必须大于 0"})
        ProjectBudgetLine.objects.create(project=project, source=source, amount=amount)
        total += amount
    project.budget_total = total


def _set_beneficiaries(project, households, *, is_actual: bool):
    from households.choices import HouseholdStatus

    prefix = project.area.scope_prefix
    for household in households:
        if not household.area_code.startswith(prefix):
            raise ApplicationError(
                f"受益户 {household.household_number} 不在项目实施地点{project.area.name}范围内",
                field_errors={"beneficiaries": "受益户必须是项目实施地点范围内的建档立卡户"},
            )
        if household.status == HouseholdStatus.REMOVED:
            raise ApplicationError(f"受益户 {household.household_number} 已剔除", field_errors={"beneficiaries": "已剔除户不能受益"})
    ProjectBeneficiary.objects.filter(project=project, is_actual=is_actual).delete()
    ProjectBeneficiary.objects.bulk_create(
        [ProjectBeneficiary(project=project, household=h, is_actual=is_actual) for h in {h.pk: h for h in households}.values()]
    )
    limit = project.actual_households if is_actual else project.expected_households
    if limit is not None and len({h.pk for h in households}) > limit:
        raise ApplicationError("关联的受益户多于填报的受益户数", field_errors={"beneficiaries": "关联户数不能超过受益户数"})


def _check_area(area):
    if area.level not in PROJECT_LEVELS:
        raise ApplicationError("项目实施地点必须是县、乡镇或行政村", field_errors={"area": "请选择县、乡镇或行政村"})


@transaction.atomic
def project_create(*, actor, area, data: dict, budget: list, beneficiaries=(), is_demo: bool = False) -> Project:
    """申报 draft: plan, budget by source, named beneficiary households inside the area (§5.8 step 1)."""
    require(actor, Capability.PROJECT_SUBMIT, area.code)
    _check_area(area)
    project = Project(area=area, area_code=area.code, number=uuid.uuid4().hex[:20], created_by=saved_user(actor),
                      is_demo=is_demo, **{k: data[k] for k in EDITABLE_FIELDS if k in data})
    _save(project)
    project.number = f"XM{project.year}-{project.pk:06d}"
    _set_budget(project, budget)
    _set_beneficiaries(project, list(beneficiaries), is_actual=False)
    project.save(update_fields=["number", "budget_total"])
    _event(project, actor=actor, type=ProjectEventType.CREATE, to_status=ProjectStatus.DRAFT, snapshot=project_snapshot(project))
    return project


@transaction.atomic
def project_update(*, actor, project: Project, data: dict, budget: list | None = None, beneficiaries=None,
                   expected_version: int | None = None) -> Project:
    project = _lock(project)
    require(actor, Capability.PROJECT_SUBMIT, project.area_code)
    check_version(project, expected_version, noun="该项目")
    if project.status not in EDITABLE_STATUSES:
        raise Conflict(f"项目处于“{project.get_status_display()}”状态，不能修改；请先退回。")
    before = project_snapshot(project)
    old_values = {name: getattr(project, name) for name in ("budget_total", "category", "planned_finish")}
    shown = {name: getattr(project, name) for name in EDITABLE_FIELDS}
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(project, name, data[name])
    if budget is not None:
        _set_budget(project, budget)
    project.version += 1
    _save(project)
    # Reports read budget, category and planned finish as of their date: keep what this edit replaced.
    record_changes(project, project.pk, {name: value for name, value in old_values.items() if getattr(project, name) != value},
                   actor)
    if beneficiaries is not None:
        _set_beneficiaries(project, list(beneficiaries), is_actual=False)
    after = project_snapshot(project)
    changed = [name for name in EDITABLE_FIELDS if getattr(project, name) != shown[name]]
    changed += [key for key in ("budget", "beneficiaries") if before[key] != after[key]]
    _event(project, actor=actor, type=ProjectEventType.UPDATE, from_status=project.status, to_status=project.status,
           snapshot={"before": before, "after": after}, fields=changed)
    return project


def _transition(actor, project, *, capability, allowed_from, to_status, event_type, reason="", distinct=True,
                snapshot=False, expected_version=None):
    project = _lock(project)
    require(actor, capability, project.area_code)
    check_version(project, expected_version, noun="该项目")
    if project.status not in allowed_from:
        raise Conflict(f"项目处于“{project.get_status_display()}”状态，不能{ProjectEventType(event_type).label}。")
    if distinct and actor is not None and project.last_actor_id == actor.pk:
        raise PermissionDenied("同一人不能连续办理两个环节（不得自审自批）。")
    from_status = project.status
    project.status = to_status
    project.last_actor = saved_user(actor)
    project.version += 1
    return project, from_status


def _finish(project, from_status, *, actor, event_type, reason="", snapshot=None, extra_fields=()):
    project.save(update_fields=["status", "last_actor", "version", "updated_at", *extra_fields])
    _event(project, actor=actor, type=event_type, from_status=from_status, to_status=project.status, reason=reason,
           snapshot=snapshot)
    return project


@transaction.atomic
def project_submit(*, actor, project: Project, expected_version: int | None = None) -> Project:
    """申报: DRAFT/RETURNED → SUBMITTED (乡镇 or 县直部门)."""
    project, before = _transition(actor, project, capability=Capability.PROJECT_SUBMIT, allowed_from=EDITABLE_STATUSES,
                                  to_status=ProjectStatus.SUBMITTED, event_type=ProjectEventType.SUBMIT, distinct=False,
                                  expected_version=expected_version)
    if project.budget_total <= 0:
        raise ApplicationError("申报前请填写预算（按资金来源）。", field_errors={"budget": "预算不能为空"})
    return _finish(project, before, actor=actor, event_type=ProjectEventType.SUBMIT, snapshot=project_snapshot(project))


@transaction.atomic
def project_return(*, actor, project: Project, reason: str, expected_version: int | None = None) -> Project:
    """退回 to the proposer with a reason (论证/筛选 not passed, §5.8 step 2)."""
    if not reason.strip():
        raise ApplicationError("请填写退回理由。", field_errors={"reason": "必填"})
    project, before = _transition(actor, project, capability=Capability.PROJECT_LIBRARY_ADMIT,
                                  allowed_from={ProjectStatus.SUBMITTED, ProjectStatus.IN_LIBRARY}, to_status=ProjectStatus.RETURNED,
                                  event_type=ProjectEventType.RETURN, distinct=False,
                                  expected_version=expected_version)
    return _finish(project, before, actor=actor, event_type=ProjectEventType.RETURN, reason=reason)


@transaction.atomic
def project_admit(*, actor, project: Project, reason: str = "", expected_version: int | None = None) -> Project:
    """批准入库 by the county 扶贫办 (§5.8 step 3; snapshot P1)."""
    project, before = _transition(actor, project, capability=Capability.PROJECT_LIBRARY_ADMIT, allowed_from={ProjectStatus.SUBMITTED},
                                  to_status=ProjectStatus.IN_LIBRARY, event_type=ProjectEventType.ADMIT,
                                  expected_version=expected_version)
    return _finish(project, before, actor=actor, event_type=ProjectEventType.ADMIT, reason=reason,
                   snapshot=project_snapshot(project))


@transaction.atomic
def project_approve(*, actor, project: Project, approved_on: datetime.date | None = None, reason: str = "",
                    expected_version: int | None = None) -> Project:
    """立项批复 (§5.8 step 5): the approved budget is frozen on the project."""
    project, before = _transition(actor, project, capability=Capability.PROJECT_APPROVE, allowed_from={ProjectStatus.IN_LIBRARY},
                                  to_status=ProjectStatus.APPROVED, event_type=ProjectEventType.APPROVE,
                                  expected_version=expected_version)
    project.approved_on = approved_on or timezone.localdate()
    snapshot = project_snapshot(project)
    project.approved_budget = snapshot["budget"]
    return _finish(project, before, actor=actor, event_type=ProjectEventType.APPROVE, reason=reason, snapshot=snapshot,
                   extra_fields=("approved_on", "approved_budget"))


def _open_objections(project):
    return ProjectObjection.objects.filter(publicity__project=project, status=ObjectionStatus.OPEN)


@transaction.atomic
def project_start(*, actor, project: Project, started_on: datetime.date, expected_version: int | None = None) -> Project:
    """开工: needs a closed 项目安排公示 without open or upheld objections (§5.8 steps 6–7)."""
    project, before = _transition(actor, project, capability=Capability.PROJECT_IMPLEMENT, allowed_from={ProjectStatus.APPROVED},
                                  to_status=ProjectStatus.IN_PROGRESS, event_type=ProjectEventType.START, distinct=False,
                                  expected_version=expected_version)
    today = timezone.localdate()
    plan_publicities = ProjectPublicity.objects.filter(project=project, kind=PublicityKind.PLAN, ends_on__lt=today)
    usable = plan_publicities.exclude(objections__status__in=[ObjectionStatus.OPEN, ObjectionStatus.UPHELD])
    if not usable.exists():
        raise ApplicationError("开工前须完成项目安排公示（公示期满且无未处理或成立的异议）。")
    project.actual_start = started_on
    return _finish(project, before, actor=actor, event_type=ProjectEventType.START, extra_fields=("actual_start",))


@transaction.atomic
def project_complete(*, actor, project: Project, finished_on: datetime.date, actual_households: int,
                     actual_persons: int, beneficiaries=(), expected_version: int | None = None) -> Project:
    """竣工 with the actual beneficiaries (§5.8 step 8)."""
    project, before = _transition(actor, project, capability=Capability.PROJECT_IMPLEMENT, allowed_from={ProjectStatus.IN_PROGRESS},
                                  to_status=ProjectStatus.COMPLETED, event_type=ProjectEventType.COMPLETE, distinct=False,
                                  expected_version=expected_version)
    if project.actual_start and finished_on < project.actual_start:
        raise ApplicationError("完工日期不能早于开工日期。", field_errors={"finished_on": "早于开工日期"})
    project.actual_finish, project.actual_households, project.actual_persons = finished_on, actual_households, actual_persons
    _set_beneficiaries(project, list(beneficiaries), is_actual=True)
    return _finish(project, before, actor=actor, event_type=ProjectEventType.COMPLETE,
                   extra_fields=("actual_finish", "actual_households", "actual_persons"))


@transaction.atomic
def project_accept(*, actor, project: Project, passed: bool, reason: str = "", expected_version: int | None = None) -> Project:
    """验收 by the county, never by whoever reported completion (§5.8 step 9; snapshot P2)."""
    if not passed and not reason.strip():
        raise ApplicationError("验收不通过须填写理由。", field_errors={"reason": "必填"})
    event = ProjectEventType.ACCEPT if passed else ProjectEventType.REJECT_ACCEPTANCE
    project, before = _transition(actor, project, capability=Capability.PROJECT_ACCEPT, allowed_from={ProjectStatus.COMPLETED},
                                  to_status=ProjectStatus.ACCEPTED if passed else ProjectStatus.IN_PROGRESS, event_type=event,
                                  expected_version=expected_version)
    snapshot = project_snapshot(project) | {"actual": [project.actual_households, project.actual_persons]}
    return _finish(project, before, actor=actor, event_type=event, reason=reason, snapshot=snapshot)


@transaction.atomic
def project_close(*, actor, project: Project, reason: str = "", expected_version: int | None = None) -> Project:
    """完结: every voucher reviewed and the 资金使用公示 published (§5.8 steps 10–12)."""
    project, before = _transition(actor, project, capability=Capability.PROJECT_ACCEPT, allowed_from={ProjectStatus.ACCEPTED},
                                  to_status=ProjectStatus.CLOSED, event_type=ProjectEventType.CLOSE, distinct=False,
                                  expected_version=expected_version)
    refusals = close_refusals(project)  # e.g. the fund ledger: every voucher reviewed (``projects.close_checks``)
    if refusals:
        raise ApplicationError(refusals[0])
    if not ProjectPublicity.objects.filter(project=project, kind=PublicityKind.RESULT).exists():
        raise ApplicationError("完结前须发布资金使用公示。")
    return _finish(project, before, actor=actor, event_type=ProjectEventType.CLOSE, reason=reason)


@transaction.atomic
def project_cancel(*, actor, project: Project, reason: str, expected_version: int | None = None) -> Project:
    """取消 with a reason: the proposer before 入库, the county until 批复; never once money was paid."""
    if not reason.strip():
        raise ApplicationError("请填写取消理由。", field_errors={"reason": "必填"})
    locked = _lock(project)
    capability = Capability.PROJECT_SUBMIT if locked.status in EDITABLE_STATUSES | {ProjectStatus.SUBMITTED} else Capability.PROJECT_APPROVE
    project, before = _transition(actor, locked, capability=capability, allowed_from=CANCELLABLE_STATUSES,
                                  to_status=ProjectStatus.CANCELLED, event_type=ProjectEventType.CANCEL, distinct=False,
                                  expected_version=expected_version)
    if project.fundings.exists():
        raise ApplicationError("项目已安排资金，不能取消；请先调整资金安排。")
    return _finish(project, before, actor=actor, event_type=ProjectEventType.CANCEL, reason=reason)


def publicity_content(project: Project, kind: str) -> dict:
    """The public 公示 text: place, amounts by source, beneficiaries counted — never names or ID numbers."""
    from django.db.models import Sum

    sources = {s.code: s.name for s in FundSource.objects.all()}
    budget = project.approved_budget or {line.source.code: str(line.amount) for line in project.budget_lines.all()}
    content = {
        "number": project.number, "name": project.name, "place": project.area.name, "area_code": project.area_code,
        "category": project.get_category_display(), "year": project.year, "responsible_unit": project.responsible_unit,
        "benefit_mechanism": project.get_benefit_mechanism_display(),
        "funds": [{"source": sources.get(code, code), "amount": amount} for code, amount in budget.items()],
        "total": str(sum((Decimal(a) for a in budget.values()), Decimal("0"))),
        "households": project.expected_households, "persons": project.expected_persons,
        "planned": [str(project.planned_start), str(project.planned_finish)],
    }
    if kind == PublicityKind.RESULT:
        paid = project.disbursements.counted().aggregate(total=Sum("amount"))["total"] or Decimal("0")
        content.update(households=project.actual_households or 0, persons=project.actual_persons or 0,
                       disbursed=str(paid), finished=str(project.actual_finish or ""))
    return content


@transaction.atomic
def project_publicity_open(*, actor, project: Project, kind: str, published_on: datetime.date,
                           location: str, ends_on: datetime.date | None = None) -> ProjectPublicity:
    """Publish a 公示 (township or village, ``publicity.manage``); its content is frozen at publication."""
    project = _lock(project)
    require(actor, Capability.PUBLICITY_MANAGE, project.area_code)
    if kind == PublicityKind.PLAN and project.status not in APPROVED_STATUSES:
        raise Conflict("项目批复后才能发布项目安排公示。")
    if kind == PublicityKind.RESULT and project.status not in {ProjectStatus.ACCEPTED, ProjectStatus.CLOSED}:
        raise Conflict("项目验收后才能发布资金使用公示。")
    publicity = ProjectPublicity(
        project=project, kind=kind, published_on=published_on,
        ends_on=ends_on or published_on + datetime.timedelta(days=DEFAULT_PUBLICITY_DAYS), location=location,
        content=publicity_content(project, kind), published_by=saved_user(actor),
    )
    _save(publicity)
    _event(project, actor=actor, type=ProjectEventType.PUBLICITY_OPEN, from_status=project.status,
           to_status=project.status, reason=f"{publicity.get_kind_display()} {published_on}—{publicity.ends_on}")
    return publicity


@transaction.atomic
def project_objection_record(*, actor, publicity: ProjectPublicity, channel: str, content: str,
                             received_on: datetime.date, complainant: str = "") -> ProjectObjection:
    """Record an objection raised inside the 公示 window (anyone may object; staff record it)."""
    publicity = ProjectPublicity.objects.select_for_update().select_related("project").get(pk=publicity.pk)
    require(actor, Capability.PUBLICITY_MANAGE, publicity.project.area_code)
    if not publicity.published_on <= received_on <= publicity.ends_on:
        raise ApplicationError("异议须在公示期内提出。", field_errors={"received_on": "不在公示期内"})
    objection = ProjectObjection(publicity=publicity, channel=channel, content=content, received_on=received_on,
                                 complainant=complainant, recorded_by=saved_user(actor))
    _save(objection)
    _event(publicity.project, actor=actor, type=ProjectEventType.OBJECTION, from_status=publicity.project.status,
           to_status=publicity.project.status, reason=content[:200])
    return objection


@transaction.atomic
def project_objection_resolve(*, actor, objection: ProjectObjection, upheld: bool, resolution: str) -> ProjectObjection:
    """Resolve an objection with a written result; an upheld objection voids that 公示 for starting work."""
    objection = ProjectObjection.objects.select_for_update().select_related("publicity__project").get(pk=objection.pk)
    project = objection.publicity.project
    require(actor, Capability.PUBLICITY_MANAGE, project.area_code)
    if objection.status != ObjectionStatus.OPEN:
        raise Conflict("该异议已处理。")
    if not resolution.strip():
        raise ApplicationError("请填写处理结果。", field_errors={"resolution": "必填"})
    objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    objection.resolution, objection.resolved_by, objection.resolved_at = resolution, actor, timezone.now()
    _save(objection)
    _event(project, actor=actor, type=ProjectEventType.OBJECTION_RESOLVE, from_status=project.status,
           to_status=project.status, reason=f"{objection.get_status_display()}：{resolution[:150]}")
    return objection


@transaction.atomic
def fund_sources_ensure() -> int:
    """Create the default 资金来源 (``choices.DEFAULT_SOURCES``) that are missing (reference data); returns how many
    were created."""
    created = 0
    for order, (code, name, level, kind) in enumerate(DEFAULT_SOURCES):
        _, made = FundSource.objects.get_or_create(code=code, defaults={"name": name, "level": level, "kind": kind,
                                                                        "sort_order": order})
        created += made
    return created
