"""Writes to the area tree. Each write validates with ``full_clean`` and records an audit event."""
import re
from dataclasses import dataclass, field

from django.db import transaction

from povalleviation.access import Capability, has_capability, scope_prefixes
from povalleviation.audit import audit_record, record_changes
from povalleviation.errors import ApplicationError, PermissionDenied

from .choices import LEVEL_ORDER, AreaLevel, level_of_code, parent_code_of
from .models import Area

LEVEL_NAMES = {choice.value: choice.label for choice in AreaLevel}
LEVEL_BY_LABEL = {**{choice.label: choice.value for choice in AreaLevel}, **{c.value: c.value for c in AreaLevel}}


def _require_area_manager(actor, code: str):
    if actor is None:  # command-line loads run as the installation itself
        return
    if not has_capability(actor, Capability.AREA_MANAGE) or not any(
        code.startswith(prefix) for prefix in scope_prefixes(actor, Capability.AREA_MANAGE)
    ):
        raise PermissionDenied("您无权管理该区域。")


@transaction.atomic
def area_create(*, actor, code: str, name: str, level: str | None = None, parent: Area | None = None, **attributes) -> Area:
    level = level or level_of_code(code)
    if level is None:
        raise ApplicationError(f"区划代码 {code} 格式不正确", field_errors={"code": "区划代码格式不正确"})
    if parent is None and level != AreaLevel.PROVINCE:
        parent = Area.objects.filter(code=parent_code_of(code, level)).first()
    _require_area_manager(actor, code)
    area = Area(code=code, name=name, level=level, parent=parent, **attributes)
    area.full_clean()
    area.save()
    audit_record(actor=actor, action="area.create", target=area, area=area, summary=f"新增区域 {name}（{code}）",
                 changes={"code": code, "name": name, "level": level})
    return area


@transaction.atomic
def area_update(*, actor, area: Area, **changes) -> Area:
    _require_area_manager(actor, area.code)
    area = Area.objects.select_for_update().get(pk=area.pk)
    before = {name: getattr(area, name) for name in changes}
    for name, value in changes.items():
        setattr(area, name, value)
    area.full_clean()
    area.save()
    # Village designation and exit date are read by reports as of their date: keep what this edit replaced.
    record_changes(area, area.pk, {name: value for name, value in before.items() if getattr(area, name) != value}, actor)
    audit_record(actor=actor, action="area.update", target=area, area=area, summary=f"修改区域 {area.name}",
                 changes={name: [str(before[name]), str(value)] for name, value in changes.items()})
    return area


@dataclass
class AreaLoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def areas_load(*, actor, rows, is_demo: bool = False, dry_run: bool = False) -> AreaLoadResult:
    """Load an area list (code, name[, level, parent_code]) in the national code format.

    Every row is checked first (code shape, level, parent one level up present in the file or the
    database, prefix consistency, duplicates); if any row fails nothing is written and every failing
    row is reported with its line number. Otherwise the whole list lands in one transaction, parents
    before children; loading the same list again changes nothing.
    """
    result = AreaLoadResult()
    parsed = []
    seen = {}
    for line_number, row in rows:
        code = (row.get("code") or row.get("区划代码") or "").strip()
        name = (row.get("name") or row.get("名称") or "").strip()
        declared_level = (row.get("level") or row.get("层级") or "").strip()
        declared_parent = (row.get("parent_code") or row.get("上级代码") or "").strip()
        where = f"第 {line_number} 行"
        if not code:
            result.errors.append(f"{where}：区划代码为空")
            continue
        if not re.fullmatch(r"\d{12}|\d{15}", code):
            result.errors.append(f"{where}：区划代码 {code} 必须是 12 位（村民小组 15 位）数字")
            continue
        level = level_of_code(code)
        if level is None:
            result.errors.append(f"{where}：区划代码 {code} 不符合国家统计用区划代码格式")
            continue
        if declared_level and LEVEL_BY_LABEL.get(declared_level) != level:
            result.errors.append(
                f"{where}：层级“{declared_level}”与区划代码 {code} 不符（应为{LEVEL_NAMES[level]}）"
            )
            continue
        if not name:
            result.errors.append(f"{where}：名称为空")
            continue
        expected_parent = parent_code_of(code, level)
        if expected_parent and level_of_code(expected_parent) != LEVEL_ORDER[LEVEL_ORDER.index(level) - 1]:
            # e.g. a village 530427000001: its township digits are 000, so its "parent" would be the county.
            parent_level = LEVEL_ORDER[LEVEL_ORDER.index(level) - 1]
            result.errors.append(
                f"{where}：区划代码 {code} 的上级代码 {expected_parent} 不是{LEVEL_NAMES[parent_level]}级代码"
            )
            continue
        if declared_parent and declared_parent != expected_parent:
            result.errors.append(
                f"{where}：上级代码 {declared_parent} 与区划代码 {code} 的前缀不一致（应为 {expected_parent}）"
            )
            continue
        if code in seen:
            result.errors.append(f"{where}：区划代码 {code} 与第 {seen[code]} 行重复")
            continue
        seen[code] = line_number
        parsed.append((line_number, code, name, level, expected_parent))

    existing = {area.code: area for area in Area.objects.filter(code__in=[p[1] for p in parsed] + [p[4] for p in parsed if p[4]])}
    for line_number, code, _name, level, parent in parsed:
        if parent and parent not in seen and parent not in existing:
            result.errors.append(
                f"第 {line_number} 行：找不到上级区域 {parent}（{LEVEL_NAMES[LEVEL_ORDER[LEVEL_ORDER.index(level) - 1]]}）"
            )
        if actor is not None:
            try:
                _require_area_manager(actor, code)
            except PermissionDenied:
                result.errors.append(f"第 {line_number} 行：区划代码 {code} 不在您的管理范围内")
        if code in existing and existing[code].level != level:
            result.errors.append(f"第 {line_number} 行：区划代码 {code} 已存在且层级不同")
    if result.errors or dry_run:
        return result

    parsed.sort(key=lambda p: (LEVEL_ORDER.index(p[3]), p[1]))
    with transaction.atomic():
        by_code = dict(existing)
        for _line_number, code, name, level, parent_code in parsed:
            parent = by_code.get(parent_code) if parent_code else None
            area = by_code.get(code)
            if area is None:
                area = Area(code=code, name=name, level=level, parent=parent, is_demo=is_demo)
                area.full_clean()
                area.save()
                by_code[code] = area
                result.created += 1
            elif area.name != name or area.parent_id != (parent.pk if parent else None):
                area.name = name
                area.parent = parent
                area.full_clean()
                area.save(update_fields=["name", "parent", "updated_at"])
                result.updated += 1
            else:
                result.unchanged += 1
        if result.created or result.updated:
            audit_record(actor=actor, action="area.load", summary=f"导入区域列表：新增 {result.created}，更新 {result.updated}",
                         area_code=parsed[0][1] if parsed else "",
                         changes={"created": result.created, "updated": result.updated})
    return result
