"""Writes of annual exit plans (DOMAIN.md §5.12): create, edit a draft, approve (lock), revise as a new version.

Every write checks ``plan.edit`` at the plan's area (or an ancestor), validates with ``full_clean``, locks the
row it changes and records an audit event in the same transaction. ``actor=None`` is the installation itself
(the seed loader), which records the issuing document as the approval basis.
"""
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.history import record_changes
from accounts.services import audit_record
from assessments.plans.models import PLAN_FIGURES, ExitPlan, ExitPlanBase, ExitPlanStatus
from povalleviation.access import Capability, require
from povalleviation.actors import saved_user
from povalleviation.errors import ApplicationError, Conflict
from villages.choices import LEVEL_ORDER, level_of_code
from villages.models import Area
from villages.services import area_create

EDITABLE_FIELDS = set(PLAN_FIGURES) | {"persons_wan", "source", "note"}
BASE_FIELDS = set(PLAN_FIGURES) | {
    "persons_wan", "prior_exited_households", "prior_exited_persons", "prior_exited_villages", "prior_exited_townships",
    "label", "source",
}


def _validated(instance):
    """``full_clean`` with the model's messages turned into the one refusal type views and the API map back."""
    try:
        instance.full_clean()
    except ValidationError as error:
        field_errors = {name: "；".join(messages) for name, messages in error.message_dict.items()}
        general = field_errors.pop("__all__", None)
        raise ApplicationError(general or "输入有误，请检查标出的项目", field_errors=field_errors) from error


def _apply_changes(plan, changes: dict):
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"不能修改的字段：{sorted(unknown)}")
    # A figure stated in 万人 and one stated in 人 replace each other; the other unit is derived again.
    if "persons_wan" in changes and "persons" not in changes:
        plan.persons = None
    if "persons" in changes and "persons_wan" not in changes:
        plan.persons_wan = None
    for name, value in changes.items():
        if name in ("source", "note"):
            value = (value or "").strip()
        setattr(plan, name, value)


def _figures_log(plan) -> dict:
    return {**plan.figures(), "persons_wan": str(plan.persons_wan) if plan.persons_wan is not None else None}


@transaction.atomic
def exit_plan_create(*, actor, area: Area, year: int, households=None, persons=None, persons_wan=None, villages=None,
                     townships=None, counties=None, source: str = "", note: str = "") -> ExitPlan:
    """A first version (draft) of the area's plan for the year; a later change is a revision, not a second plan."""
    require(actor, Capability.PLAN_EDIT, area.code)
    existing = ExitPlan.objects.filter(area=area, year=year).order_by("-version").first()
    if existing is not None:
        raise ApplicationError(
            f"{area.name}{year}年已有脱贫计划（第{existing.version}版，{existing.get_status_display()}），请修改草稿或修订该计划",
            field_errors={"year": "该区域该年度已有计划"}, code="plan_exists",
        )
    plan = ExitPlan(area=area, year=year, version=1, status=ExitPlanStatus.DRAFT, created_by=saved_user(actor),
                    updated_by=saved_user(actor))
    _apply_changes(plan, {"households": households, "persons": persons, "persons_wan": persons_wan, "villages": villages,
                          "townships": townships, "counties": counties, "source": source, "note": note})
    _validated(plan)
    plan.save()
    audit_record(actor=actor, action="exit_plan.create", target=plan, area=area,
                 summary=f"录入 {area.name} {year}年脱贫计划（草稿）", changes=_figures_log(plan))
    return plan


@transaction.atomic
def exit_plan_update(*, actor, plan: ExitPlan, **changes) -> ExitPlan:
    """Edit a draft. An approved plan is locked: it can only be revised as a new version."""
    require(actor, Capability.PLAN_EDIT, plan.area.code)
    plan = ExitPlan.objects.select_for_update().select_related("area").get(pk=plan.pk)
    _refuse_if_locked(plan)
    before = _figures_log(plan)
    old_figures = plan.figures()
    _apply_changes(plan, changes)
    plan.updated_by = saved_user(actor)
    _validated(plan)
    plan.save()
    # A draft counts in reports until a version is approved: keep the figures this edit replaced.
    record_changes(plan, plan.pk, {name: value for name, value in old_figures.items() if getattr(plan, name) != value}, actor)
    after = _figures_log(plan)
    audit_record(actor=actor, action="exit_plan.update", target=plan, area=plan.area,
                 summary=f"修改 {plan.area.name} {plan.year}年脱贫计划（第{plan.version}版草稿）",
                 changes={name: [before[name], after[name]] for name in after if before[name] != after[name]})
    return plan


@transaction.atomic
def exit_plan_approve(*, actor, plan: ExitPlan) -> ExitPlan:
    """Approve and lock a draft. The approver holds ``plan.edit`` at the plan's area or above and is neither the
    person who entered nor the one who last changed it (DOMAIN.md §5.0 rule 2: no self-approval). The version
    it revises, if any, is kept as superseded."""
    require(actor, Capability.PLAN_EDIT, plan.area.code)
    plan = ExitPlan.objects.select_for_update().select_related("area").get(pk=plan.pk)
    if plan.status != ExitPlanStatus.DRAFT:
        raise Conflict(f"该计划当前为“{plan.get_status_display()}”，不能再次审批", code="plan_not_draft")
    if actor is not None and actor.pk in (plan.created_by_id, plan.updated_by_id):
        raise ApplicationError("不能审批自己录入或修改的计划，请由本级或上级另一位有计划编辑权限的人员审批",
                               code="self_approval")
    superseded = None
    current = ExitPlan.objects.select_for_update().filter(area=plan.area, year=plan.year, status=ExitPlanStatus.APPROVED).first()
    if current is not None:
        current.status = ExitPlanStatus.SUPERSEDED
        current.save(update_fields=["status", "updated_at"])
        superseded = current.version
    plan.status = ExitPlanStatus.APPROVED
    plan.approved_by = saved_user(actor)
    plan.approved_at = timezone.now()
    _validated(plan)
    plan.save()
    audit_record(actor=actor, action="exit_plan.approve", target=plan, area=plan.area,
                 summary=f"审批 {plan.area.name} {plan.year}年脱贫计划（第{plan.version}版），已锁定",
                 changes={"version": plan.version, "superseded_version": superseded, **_figures_log(plan)})
    return plan


@transaction.atomic
def exit_plan_revise(*, actor, plan: ExitPlan, reason: str, **changes) -> ExitPlan:
    """A new draft version of an approved plan, referencing it; unchanged figures are carried over."""
    require(actor, Capability.PLAN_EDIT, plan.area.code)
    plan = ExitPlan.objects.select_for_update().select_related("area").get(pk=plan.pk)
    if plan.status != ExitPlanStatus.APPROVED:
        raise Conflict("只能修订已审批的现行计划；草稿请直接修改", code="plan_not_approved")
    if not (reason or "").strip():
        raise ApplicationError("请填写修订原因", field_errors={"revision_reason": "必填"})
    draft = ExitPlan.objects.filter(area=plan.area, year=plan.year, status=ExitPlanStatus.DRAFT).first()
    if draft is not None:
        raise Conflict(f"已有待审批的第{draft.version}版修订草稿，请先处理该草稿", code="draft_exists")
    latest = ExitPlan.objects.filter(area=plan.area, year=plan.year).aggregate(latest=Max("version"))["latest"]
    revision = ExitPlan(
        area=plan.area, year=plan.year, version=latest + 1, previous=plan, status=ExitPlanStatus.DRAFT,
        persons_wan=plan.persons_wan, source=plan.source, note=plan.note, revision_reason=reason.strip(),
        created_by=saved_user(actor), updated_by=saved_user(actor), **plan.figures(),
    )
    _apply_changes(revision, changes)
    _validated(revision)
    revision.save()
    audit_record(actor=actor, action="exit_plan.revise", target=revision, area=plan.area,
                 summary=f"修订 {plan.area.name} {plan.year}年脱贫计划：第{plan.version}版 → 第{revision.version}版（草稿）",
                 changes={"previous_version": plan.version, "reason": reason.strip(), **_figures_log(revision)})
    return revision


@transaction.atomic
def exit_plan_base_save(*, actor, area: Area, base_year: int, end_year: int, **figures) -> ExitPlanBase:
    """Create or replace the base a plan period starts from (one per area and base year)."""
    require(actor, Capability.PLAN_EDIT, area.code)
    unknown = set(figures) - BASE_FIELDS
    if unknown:
        raise TypeError(f"不能保存的字段：{sorted(unknown)}")
    base = ExitPlanBase.objects.select_for_update().filter(area=area, base_year=base_year).first() or ExitPlanBase(
        area=area, base_year=base_year
    )
    created = base.pk is None
    old_values = {name: getattr(base, name) for name in ("end_year", "households", "persons")}
    base.end_year = end_year
    for name in BASE_FIELDS:
        setattr(base, name, figures.get(name, "" if name in ("label", "source") else None))
    _validated(base)
    base.save()
    if not created:  # reports read the base period and figures as of their date
        record_changes(base, base.pk, {name: value for name, value in old_values.items() if getattr(base, name) != value},
                       actor)
    audit_record(actor=actor, action="exit_plan_base.create" if created else "exit_plan_base.update", target=base, area=area,
                 summary=f"{'录入' if created else '修改'} {area.name} {base_year}年底脱贫计划基数",
                 changes={"end_year": end_year, **{k: str(v) if isinstance(v, Decimal) else v for k, v in figures.items()}})
    return base


def _refuse_if_locked(plan):
    if plan.status != ExitPlanStatus.DRAFT:
        raise Conflict(
            f"{plan.area.name}{plan.year}年脱贫计划第{plan.version}版{plan.get_status_display()}，不能修改；如需调整请修订为新版本",
            code="plan_locked",
        )


@dataclass
class ExitPlanLoadResult:
    areas_created: int = 0
    bases_saved: int = 0
    plans_created: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)


@transaction.atomic
def exit_plans_load(*, actor, areas: list[tuple[str, str]], bases: list[dict], plans: list[dict]) -> ExitPlanLoadResult:
    """Load plan tables printed in policy documents: missing areas (real codes, not demo data), bases, and
    plans approved on the strength of the issuing document. Loading the same tables again changes nothing;
    an area-year that already has a different plan is left alone and reported."""
    result = ExitPlanLoadResult()
    by_code = {area.code: area for area in Area.objects.filter(code__in=[code for code, _ in areas])}
    for code, name in sorted(areas, key=lambda item: (LEVEL_ORDER.index(level_of_code(item[0])), item[0])):
        if code not in by_code:
            by_code[code] = area_create(actor=actor, code=code, name=name, is_demo=False)
            result.areas_created += 1
    needed = {row["area"] for row in bases} | {row["area"] for row in plans}
    by_code.update({area.code: area for area in Area.objects.filter(code__in=needed - set(by_code))})
    missing = sorted(needed - set(by_code))
    if missing:
        raise ApplicationError(f"找不到区域：{'、'.join(missing)}", code="area_missing")

    old_bases = {(b.area.code, b.base_year): b for b in ExitPlanBase.objects.filter(area__code__in=needed).select_related("area")}
    for row in bases:
        figures = {k: v for k, v in row.items() if k not in ("area", "base_year", "end_year")}
        old = old_bases.get((row["area"], row["base_year"]))
        wanted = ExitPlanBase(area=by_code[row["area"]], base_year=row["base_year"], end_year=row["end_year"])
        for name in BASE_FIELDS:
            setattr(wanted, name, figures.get(name, "" if name in ("label", "source") else None))
        wanted.clean()
        if old is not None and all(getattr(old, name) == getattr(wanted, name) for name in BASE_FIELDS | {"end_year"}):
            result.unchanged += 1
            continue
        exit_plan_base_save(actor=actor, area=by_code[row["area"]], base_year=row["base_year"], end_year=row["end_year"],
                            **figures)
        result.bases_saved += 1

    in_force = {(p.area.code, p.year): p for p in ExitPlan.objects.in_force().filter(area__code__in=needed).select_related("area")}
    for row in plans:
        area = by_code[row["area"]]
        figures = {k: v for k, v in row.items() if k not in ("area", "year")}
        current = in_force.get((row["area"], row["year"]))
        if current is None:
            plan = exit_plan_create(actor=actor, area=area, year=row["year"], **figures)
            exit_plan_approve(actor=actor, plan=plan)
            result.plans_created += 1
            continue
        wanted = ExitPlan(area=area, year=row["year"])
        _apply_changes(wanted, figures)
        wanted.clean()
        if wanted.figures() == current.figures() and wanted.persons_wan == current.persons_wan:
            result.unchanged += 1
        else:
            result.skipped.append(f"{area.name}{row['year']}年已有不同的计划（第{current.version}版），未覆盖")
    return result
