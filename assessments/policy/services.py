"""Policy parameters: lookup (one row, or every village of a county in two queries) and versioned writes.

Lookup = the current row of the most specific ancestor area whose year range covers the year
(DOMAIN.md §4). Absence is reported, never replaced by a default.
"""
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.conflicts import STALE_CODE
from accounts.services import audit_record
from assessments.policy.models import PARAMETER_DEFINITIONS, ParameterCode, PolicyParameter
from povalleviation.access import Capability, require
from povalleviation.actors import saved_user
from povalleviation.errors import ApplicationError, Conflict
from villages.choices import AreaLevel
from villages.models import Area

FIXTURE_PATH = Path(settings.BASE_DIR) / "fixtures" / "policy_parameters.json"
EDITABLE_FIELDS = [
    "year_from", "year_to", "value", "unit", "comparator", "price_base_year", "policy_ref", "source_citation",
    "is_from_seeds", "note",
]


class ParameterMissing(ApplicationError):
    """No row applies: an error for administrators to fix, never a silent default."""

    code = "parameter_missing"


def _chain_codes(area) -> list[str]:
    """The area's own code and its ancestors', most specific first."""
    return [area.code, *reversed(area.ancestor_codes())]


def _current_rows(*, codes, area_codes=None, prefix=None, year):
    queryset = PolicyParameter.objects.current().covering_year(year).filter(code__in=list(codes)).select_related("area")
    where = Q()
    if area_codes:
        where |= Q(area__code__in=list(area_codes))
    if prefix:
        where |= Q(area__code__startswith=prefix)
    return queryset.filter(where).order_by("code", "-year_from", "-id")


def _pick(rows_by_area_code: dict[str, list], chain: list[str], code: str):
    for area_code in chain:
        for row in rows_by_area_code.get(area_code, ()):
            if row.code == code:
                return row
    return None


def _group_by_area(rows) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for row in rows:
        grouped.setdefault(row.area.code, []).append(row)
    return grouped


def parameter_values_for_area(*, area, year: int, codes=None) -> dict[str, PolicyParameter | None]:
    """Every requested code → the row that applies at ``area`` in ``year`` (None where none does). One query."""
    codes = list(codes or ParameterCode.values)
    chain = _chain_codes(area)
    grouped = _group_by_area(_current_rows(codes=codes, area_codes=chain, year=year))
    return {code: _pick(grouped, chain, code) for code in codes}


def parameter_value(*, code: str, area, year: int) -> PolicyParameter:
    """The row (value, comparator, citation) that applies to ``code`` at ``area`` in ``year``.

    Raises ``ParameterMissing`` when no row applies.
    """
    row = parameter_values_for_area(area=area, year=year, codes=[code])[code]
    if row is None:
        raise ParameterMissing(
            f"{year} 年度“{ParameterCode(code).label}”未设置：{area.name}及其上级区域都没有适用于该年度的参数。"
        )
    return row


def parameter_values_for_villages(*, area, year: int, codes) -> dict[int, dict[str, PolicyParameter | None]]:
    """Bulk lookup for every village within ``area`` (a county, usually): village id → {code: row | None}.

    Two queries whatever the number of villages: the villages, and every current row on the area's chain
    or anywhere below it.
    """
    codes = list(codes)
    villages = list(Area.objects.within(area).filter(level=AreaLevel.VILLAGE).only("id", "code", "level"))
    if area.level == AreaLevel.VILLAGE and not villages:
        villages = [area]
    grouped = _group_by_area(
        _current_rows(codes=codes, area_codes=_chain_codes(area), prefix=area.scope_prefix, year=year)
    )
    return {
        village.pk: {code: _pick(grouped, _chain_codes(village), code) for code in codes} for village in villages
    }


# --- writes ----------------------------------------------------------------------------------------------


def _clean_value(raw, errors):
    if raw in (None, ""):
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        errors["value"] = "请输入数字"
        return None


def _refuse_overlap(parameter: PolicyParameter, *, exclude_series=None):
    others = PolicyParameter.objects.current().filter(code=parameter.code, area=parameter.area)
    if exclude_series is not None:
        others = others.exclude(series=exclude_series)
    for other in others:
        end = parameter.year_to if parameter.year_to is not None else 9999
        other_end = other.year_to if other.year_to is not None else 9999
        if parameter.year_from <= other_end and other.year_from <= end:
            message = f"{parameter.area.name}已有“{other.get_code_display()}”适用于{other.years_label}（{other.display}），年度不能重叠；请修改那一条。"
            raise ApplicationError(message, field_errors={"year_from": message}, code="overlap")


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("请填写设置或修改的原因", field_errors={"reason": "必填"})
    return reason[:300]


def _validated(parameter: PolicyParameter):
    from django.core.exceptions import ValidationError

    try:
        parameter.full_clean(exclude=["series", "change_reason"], validate_constraints=False)
    except ValidationError as error:
        messages = {name: "；".join(errs) for name, errs in error.message_dict.items()}
        raise ApplicationError("参数有误：" + "；".join(messages.values()), field_errors=messages) from error


def _snapshot(parameter: PolicyParameter) -> dict:
    return {
        "code": parameter.code, "area": parameter.area.code, "version": parameter.version,
        **{name: str(getattr(parameter, name)) if getattr(parameter, name) is not None else None for name in EDITABLE_FIELDS},
    }


@transaction.atomic
def policy_parameter_create(*, actor, code: str, area, year_from: int, year_to: int | None = None, value=None,
                            unit: str | None = None, comparator: str | None = None, source_citation: str,
                            is_from_seeds: bool = False, note: str = "", policy_ref: str = "",
                            price_base_year: int | None = None, reason: str) -> PolicyParameter:
    """Set a parameter for an area and years (an override of what the area inherits, or a new value)."""
    require(actor, Capability.POLICY_EDIT, area.code)
    reason = _require_reason(reason)
    errors: dict = {}
    definition = PARAMETER_DEFINITIONS.get(code)
    if definition is None:
        raise ApplicationError("未知的参数", field_errors={"code": "未知的参数"})
    parameter = PolicyParameter(
        code=code, area=area, year_from=year_from, year_to=year_to, value=_clean_value(value, errors),
        unit=definition.unit if unit is None else unit,
        comparator=definition.comparator if comparator is None else comparator,
        source_citation=(source_citation or "").strip(), is_from_seeds=is_from_seeds, note=note or "",
        policy_ref=policy_ref or "", price_base_year=price_base_year, change_reason=reason,
        created_by=saved_user(actor),
    )
    if errors:
        raise ApplicationError("参数有误", field_errors=errors)
    _validated(parameter)
    _refuse_overlap(parameter)
    parameter.save()
    audit_record(actor=actor, action="policy_parameter.create", target=parameter, area=area,
                 summary=f"设置政策参数：{parameter}（{parameter.display}）", changes={"after": _snapshot(parameter), "reason": reason})
    return parameter


def _check_parameter_version(current: PolicyParameter, expected_version: int | None):
    """409 when ``current`` is no longer the row in force or is not the version the caller read."""
    if current.is_current and expected_version in (None, current.version):
        return
    read_version = current.version if expected_version is None else int(expected_version)
    read = PolicyParameter.objects.filter(series=current.series, version=read_version).first() or current
    latest = PolicyParameter.objects.filter(series=current.series).select_related("created_by", "superseded_by") \
        .order_by("-version").first()
    if latest.is_current and latest.version != read.version:
        who, at = latest.created_by, latest.created_at
        fields = [str(PolicyParameter._meta.get_field(name).verbose_name) for name in EDITABLE_FIELDS
                  if getattr(latest, name) != getattr(read, name)]
        what = f"修改（{'、'.join(fields)}）" if fields else "修改"
    else:
        who, at, what = latest.superseded_by, latest.superseded_at or latest.created_at, "停用"
    name = str(who) if who else "系统"
    when = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
    raise Conflict(f"该参数已被 {name} 于 {when} {what}，请刷新后再改。", code=STALE_CODE)


@transaction.atomic
def policy_parameter_revise(*, actor, parameter: PolicyParameter, reason: str, expected_version: int | None = None,
                            **changes) -> PolicyParameter:
    """Edit = a new version row; the old row is kept, superseded, with who, when and why.

    ``expected_version`` is the version the caller read; a superseded row or another version is a 409 naming
    who revised (or retired) it since, when, and which fields.
    """
    current = PolicyParameter.objects.select_for_update().select_related("area").get(pk=parameter.pk)
    require(actor, Capability.POLICY_EDIT, current.area.code)
    _check_parameter_version(current, expected_version)
    reason = _require_reason(reason)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(f"不能修改：{'、'.join(sorted(unknown))}")
    errors: dict = {}
    if "value" in changes:
        changes["value"] = _clean_value(changes["value"], errors)
    if errors:
        raise ApplicationError("参数有误", field_errors=errors)
    revised = PolicyParameter(
        series=current.series, version=current.version + 1, code=current.code, area=current.area,
        **{name: changes.get(name, getattr(current, name)) for name in EDITABLE_FIELDS},
        change_reason=reason, created_by=saved_user(actor),
    )
    if all(getattr(revised, name) == getattr(current, name) for name in EDITABLE_FIELDS):
        raise ApplicationError("没有修改任何内容", code="unchanged")
    _validated(revised)
    _refuse_overlap(revised, exclude_series=current.series)
    now = timezone.now()
    PolicyParameter.objects.filter(pk=current.pk).update(
        is_current=False, superseded_at=now, superseded_by=saved_user(actor),
        supersede_reason=reason,
    )
    revised.save()
    audit_record(actor=actor, action="policy_parameter.revise", target=revised, area=current.area,
                 summary=f"修改政策参数：{revised}（{current.display} → {revised.display}）",
                 changes={"before": _snapshot(current), "after": _snapshot(revised), "reason": reason})
    return revised


@transaction.atomic
def policy_parameter_retire(*, actor, parameter: PolicyParameter, reason: str) -> PolicyParameter:
    """Stop applying a row (the area then inherits again, or the value is missing); the row stays in history."""
    current = PolicyParameter.objects.select_for_update().select_related("area").get(pk=parameter.pk)
    require(actor, Capability.POLICY_EDIT, current.area.code)
    if not current.is_current:
        raise ApplicationError("该参数已被修改或停用。", code="superseded")
    reason = _require_reason(reason)
    current.is_current = False
    current.superseded_at = timezone.now()
    current.superseded_by = saved_user(actor)
    current.supersede_reason = reason
    current.save(update_fields=["is_current", "superseded_at", "superseded_by", "supersede_reason"])
    audit_record(actor=actor, action="policy_parameter.retire", target=current, area=current.area,
                 summary=f"停用政策参数：{current}", changes={"before": _snapshot(current), "reason": reason})
    return current


# --- fixture ---------------------------------------------------------------------------------------------


@dataclass
class ParameterLoadResult:
    created: int = 0
    unchanged: int = 0
    kept_local: int = 0
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _same(row: PolicyParameter, item: dict) -> bool:
    value = None if item.get("value") is None else Decimal(str(item["value"]))
    return (row.value == value and row.year_to == item.get("year_to") and row.comparator == item.get("comparator", "")
            and row.source_citation == item["source_citation"])


@transaction.atomic
def policy_parameters_load(*, actor=None, path: Path | None = None) -> ParameterLoadResult:
    """Load parameter rows from the fixture; idempotent.

    A row whose area is not in the tree is skipped with a note. A row already present (same code, area and
    first year) is left alone, also when an administrator has since edited it.
    """
    fixture = json.loads(Path(path or FIXTURE_PATH).read_text(encoding="utf-8"))
    items = fixture["rows"]
    areas = {a.code: a for a in Area.objects.filter(code__in={item["area_code"] for item in items})}
    result = ParameterLoadResult(notes=list(fixture.get("notes", [])))
    for item in items:
        area = areas.get(item["area_code"])
        label = f"{item.get('policy_ref') or item['code']}（{item.get('area_name', item['area_code'])} {item['year_from']}）"
        if area is None:
            result.skipped.append(f"{label}：区域 {item['area_code']} 不在区域树中，未载入")
            continue
        existing = PolicyParameter.objects.filter(code=item["code"], area=area, year_from=item["year_from"]).order_by("-version")
        row = existing.first()
        if row is not None:
            if _same(row, item):
                result.unchanged += 1
            else:
                result.kept_local += 1
            continue
        policy_parameter_create(
            actor=actor, code=item["code"], area=area, year_from=item["year_from"], year_to=item.get("year_to"),
            value=item.get("value"), unit=item.get("unit"), comparator=item.get("comparator"),
            source_citation=item["source_citation"], is_from_seeds=item["is_from_seeds"], note=item.get("note", ""),
            policy_ref=item.get("policy_ref", ""), price_base_year=item.get("price_base_year"),
            reason="载入政策参数初始数据（fixtures/policy_parameters.json）",
        )
        result.created += 1
    return result
