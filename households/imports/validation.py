"""Validation of a whole workbook: every cell, every row, the links between the sheets, and (through
``existing``) the database. Nothing is written here; the result says what a commit would do.

Every problem is reported (sheet, row, column, reason); a file with any error commits nothing.
"""
import logging

from django.db import DatabaseError
from django.utils import timezone

from households.choices import Relation
from households.models import Household, Member
from households.services.household import encode_causes
from povalleviation.access import Capability, covers
from villages.choices import AreaLevel
from villages.models import Area

from . import existing, history, locks
from .columns import HOUSEHOLD_SHEET, INCOME_SHEET, MEASURE_SHEET, MEMBER_SHEET, column_by_key
from .errors import ErrorList
from .plan import HouseholdPlan, MemberPlan, ReadingCursor, ValidationResult
from .reader import read_workbook

HOUSEHOLD_TEXT_LIMITS = {key: Household._meta.get_field(key).max_length for key in ("head_name", "address", "phone")}
MEMBER_TEXT_LIMITS = {key: Member._meta.get_field(key).max_length for key in ("name", "ethnicity")}
MEMBER_FIELDS = (
    "name", "relation", "ethnicity", "education_level", "student_status", "health_status", "labour_capacity",
    "work_place", "work_months", "is_dibao", "tekun", "has_medical_insurance", "has_serious_illness_insurance",
)
logger = logging.getLogger(__name__)
FIRST_IDENTIFICATION_YEAR = 2013  # 建档立卡 began in 2014 with the 2013 poverty line (国开办发〔2014〕24号)


def _header(sheet, key) -> str:
    return column_by_key(sheet, key).header


def _check_lengths(errors, sheet, row, values, limits):
    for key, limit in limits.items():
        value = values.get(key)
        if isinstance(value, str) and len(value) > limit:
            errors.add(sheet, row.number, _header(sheet, key), f"不能超过 {limit} 个字（当前 {len(value)} 个字）")
            row.has_error = True


def _household_plans(rows, errors: ErrorList, actor, today, cursor: ReadingCursor) -> list[HouseholdPlan]:
    """Cell-level checks of the 户信息 rows, their areas and the duplicates among them."""
    codes = {row.values["area_code"] for row in rows if row.values.get("area_code")}
    areas = {area.code: area for area in Area.objects.filter(code__in=codes, level__in=[AreaLevel.VILLAGE, AreaLevel.GROUP])
             .select_related("parent")}
    plans = []
    this_year = today.year
    rows_by_head, rows_by_number = {}, {}
    for row in rows:
        cursor.at(HOUSEHOLD_SHEET, row.number)
        values = row.values
        _check_lengths(errors, HOUSEHOLD_SHEET, row, values, HOUSEHOLD_TEXT_LIMITS)
        code = values.get("area_code")
        area = areas.get(code) if code else None
        if code and area is None:
            errors.add(HOUSEHOLD_SHEET, row.number, _header(HOUSEHOLD_SHEET, "area_code"), f"区划代码 {code} 不存在，或不是行政村/村民小组的代码")
            row.has_error = True
        elif area is not None and actor is not None and not covers(actor, Capability.HOUSEHOLD_IMPORT, area.code):
            errors.add(HOUSEHOLD_SHEET, row.number, _header(HOUSEHOLD_SHEET, "area_code"), f"区划代码 {code} 不在您的导入范围内，本行不能导入")
            row.has_error = True
        year = values.get("identification_year")
        if isinstance(year, int) and not FIRST_IDENTIFICATION_YEAR <= year <= this_year:
            errors.add(HOUSEHOLD_SHEET, row.number, _header(HOUSEHOLD_SHEET, "identification_year"), f"识别年度应在 {FIRST_IDENTIFICATION_YEAR} 至 {this_year} 之间")
            row.has_error = True
        planned = values.get("planned_exit_year")
        if isinstance(planned, int) and isinstance(year, int) and planned < year:
            errors.add(HOUSEHOLD_SHEET, row.number, _header(HOUSEHOLD_SHEET, "planned_exit_year"), "计划脱贫年度不能早于识别年度")
            row.has_error = True
        causes = values.get("other_causes") or []
        if values.get("primary_cause") and values["primary_cause"] in causes:
            errors.add(HOUSEHOLD_SHEET, row.number, _header(HOUSEHOLD_SHEET, "other_causes"), "其他致贫原因不能与主要致贫原因重复")
            row.has_error = True
        head = values.get("head_id_number")
        head_number = head.number if head else None
        if head_number:
            if head_number in rows_by_head:
                errors.add(HOUSEHOLD_SHEET, row.number, _header(HOUSEHOLD_SHEET, "head_id_number"), f"户主身份证号与第 {rows_by_head[head_number].row} 行重复")
                row.has_error = True
        number = values.get("household_number") or ""
        if number and number in rows_by_number:
            errors.add(HOUSEHOLD_SHEET, row.number, _header(HOUSEHOLD_SHEET, "household_number"), f"户编号与第 {rows_by_number[number].row} 行重复")
            row.has_error = True
        village = None
        if area is not None:
            village = area if area.level == AreaLevel.VILLAGE else area.parent
        plan = HouseholdPlan(
            row=row.number, head_id_number=head_number, household_number=number, has_error=row.has_error,
            data={
                "area": area, "village": village, "area_code": area.code if area else "",
                "head_name": values.get("head_name") or "", "address": values.get("address") or "",
                "phone": values.get("phone") or "", "identification_year": year, "category": values.get("category"),
                "primary_cause": values.get("primary_cause"), "other_causes": encode_causes(causes),
                "planned_exit_year": planned, "is_relocated": bool(values.get("is_relocated")),
                "is_zhiguo_minzu": bool(values.get("is_zhiguo_minzu")),
            },
        )
        history.household_history(plan, values, row, errors, today)
        plan.has_error = plan.has_error or row.has_error
        if head_number:
            rows_by_head.setdefault(head_number, plan)
        if number:
            rows_by_number.setdefault(number, plan)
        plans.append(plan)
    return plans


class HouseholdLinks:
    """Finds the 户信息 row a row of another sheet belongs to, by 户主身份证号 or 户编号 (either, or both agreeing)."""

    def __init__(self, plans, errors: ErrorList):
        self.errors = errors
        self.by_head = {plan.head_id_number: plan for plan in plans if plan.head_id_number}
        self.by_number = {plan.household_number: plan for plan in plans if plan.household_number}
        self.keys_by_sheet = {}

    def has_link_columns(self, sheet, sheet_keys, errors: ErrorList) -> bool:
        self.keys_by_sheet[sheet] = sheet_keys
        if "head_id_number" not in sheet_keys and "household_number" not in sheet_keys:
            errors.add(sheet, 1, "户主身份证号", "缺少“户主身份证号”或“户编号”列，无法对应户信息表中的户")
            return False
        return True

    def __call__(self, sheet, row, values):
        """The plan of the row's household, or None with the reason added to the errors."""
        errors, sheet_keys = self.errors, self.keys_by_sheet[sheet]
        head = values.get("head_id_number") or None  # IdNumberInfo; blank ("") and unreadable (None) give None
        number = values.get("household_number") or ""
        plan_by_head = self.by_head.get(head.number) if head else None
        plan_by_number = self.by_number.get(number) if number else None
        plan = plan_by_head or plan_by_number
        if head is None and not number:
            if values.get("head_id_number", "") == "" and "head_id_number" in sheet_keys:
                errors.add(sheet, row.number, "户主身份证号", "请填写户主身份证号（或户编号），以对应户信息表中的户")
            elif "head_id_number" not in sheet_keys:
                errors.add(sheet, row.number, "户编号", "请填写户编号，以对应户信息表中的户")
        elif head is not None and plan_by_head is None:
            errors.add(sheet, row.number, "户主身份证号", "户信息表中没有户主身份证号为此号码的户")
        elif head is None and number and plan_by_number is None:
            errors.add(sheet, row.number, "户编号", f"户信息表中没有户编号为 {number} 的户")
        elif plan_by_head is not None and plan_by_number is not None and plan_by_head is not plan_by_number:
            errors.add(sheet, row.number, "户编号", "户编号与户主身份证号对应的不是同一户")
            plan = None
        elif head is not None and number and plan_by_number is None and plan_by_head is not None:
            errors.add(sheet, row.number, "户编号", "户编号与户信息表中该户的户编号不一致")
            plan = None
        return plan


def _member_plans(rows, links: HouseholdLinks, sheet_keys, errors: ErrorList, cursor: ReadingCursor):
    """Link each 成员信息 row to its 户信息 row and check duplicates within the file."""
    if not links.has_link_columns(MEMBER_SHEET, sheet_keys, errors):
        return
    seen_rows = {}
    for row in rows:
        cursor.at(MEMBER_SHEET, row.number)
        values = row.values
        _check_lengths(errors, MEMBER_SHEET, row, values, MEMBER_TEXT_LIMITS)
        months = values.get("work_months")
        if isinstance(months, int) and not 0 <= months <= 12:
            errors.add(MEMBER_SHEET, row.number, _header(MEMBER_SHEET, "work_months"), "务工月数应在 0 到 12 之间")
        plan = links(MEMBER_SHEET, row, values)
        info = values.get("id_number") or None  # blank ("") and unreadable (None) give None
        if info is not None:
            first = seen_rows.get(info.number)
            if first is not None:
                errors.add(MEMBER_SHEET, row.number, _header(MEMBER_SHEET, "id_number"),
                           f"身份证号与第 {first} 行重复，一人只能登记在一个户中")
            else:
                seen_rows[info.number] = row.number
        if plan is None or info is None:
            continue
        data = {key: values.get(key) for key in MEMBER_FIELDS}
        data.update(id_number=info.number, sex=info.sex, birth_date=info.birth_date)
        plan.members.append(MemberPlan(row=row.number, data=data))


def _check_heads(plans, errors: ErrorList, cursor: ReadingCursor):
    """The head appears in 成员信息 with relation 户主, once, with the same name."""
    head_label = Relation.HEAD.label
    for plan in plans:
        cursor.at(HOUSEHOLD_SHEET, plan.row)
        if not plan.head_id_number:
            continue
        head_rows = [member for member in plan.members if member.data["id_number"] == plan.head_id_number]
        for member in plan.members:
            cursor.at(MEMBER_SHEET, member.row)
            is_head_person = member.data["id_number"] == plan.head_id_number
            relation = member.data.get("relation")
            if is_head_person and relation not in (None, Relation.HEAD):
                errors.add(MEMBER_SHEET, member.row, _header(MEMBER_SHEET, "relation"), f"此人是户信息表中的户主，与户主关系应为“{head_label}”")
            elif not is_head_person and relation == Relation.HEAD:
                errors.add(MEMBER_SHEET, member.row, _header(MEMBER_SHEET, "relation"),
                           f"每户只能有一名户主；本户户主为户信息表第 {plan.row} 行的户主（身份证号 {plan.head_id_number[:6]}…{plan.head_id_number[-4:]}）")
        if not head_rows:
            errors.add(HOUSEHOLD_SHEET, plan.row, _header(HOUSEHOLD_SHEET, "head_id_number"),
                       f"成员信息表中没有该户主本人；户主也须列在成员信息表中，与户主关系填“{head_label}”")
            continue
        head_name = head_rows[0].data.get("name")
        if head_name and plan.data["head_name"] and head_name != plan.data["head_name"]:
            errors.add(HOUSEHOLD_SHEET, plan.row, _header(HOUSEHOLD_SHEET, "head_name"), f"与成员信息表中户主的姓名“{head_name}”不一致")


def validate_workbook(*, source, actor, lock: bool = False, progress=None) -> ValidationResult:
    """Read and check a workbook. ``actor`` None means the installation (no area limit).

    ``lock`` (inside the commit's transaction) locks the existing households the file updates.
    ``progress(percent, message)`` is called between stages.
    """
    report = progress or (lambda percent, message: None)
    errors = ErrorList()
    today = timezone.localdate()
    report(5, "正在读取文件…")
    cursor = ReadingCursor()
    try:
        return _validate(source, actor, lock, report, errors, today, cursor)
    except (DatabaseError, locks.ImportConflict):  # the commit's re-check fails the job (``locks``)
        raise
    except Exception:  # any defect left in a check becomes an error at the row being read, not 系统错误
        logger.exception("import validation failed at %s row %s (%s)", cursor.sheet, cursor.row, cursor.stage)
        errors.add(cursor.sheet, cursor.row, "", cursor.message())
        return ValidationResult(errors=errors, household_rows=0, member_rows=0)


def _validate(source, actor, lock, report, errors, today, cursor: ReadingCursor) -> ValidationResult:
    sheets = read_workbook(source, errors, today, cursor)
    household_sheet, member_sheet = sheets[HOUSEHOLD_SHEET], sheets[MEMBER_SHEET]
    result = ValidationResult(errors=errors, household_rows=len(household_sheet.rows), member_rows=len(member_sheet.rows),
                              column_notes=[note for sheet in sheets.values() for note in sheet.column_notes])
    if not household_sheet.present or not member_sheet.present:
        return result
    if not household_sheet.rows:
        errors.add(HOUSEHOLD_SHEET, 2, "", "户信息表中没有数据")
    report(35, f"正在校验户信息（{len(household_sheet.rows)} 行）…")
    plans = _household_plans(household_sheet.rows, errors, actor, today, cursor)
    report(50, f"正在校验成员信息（{len(member_sheet.rows)} 行）…")
    links = HouseholdLinks(plans, errors)
    _member_plans(member_sheet.rows, links, member_sheet.keys, errors, cursor)
    _check_heads(plans, errors, cursor)
    income_sheet, measure_sheet = sheets[INCOME_SHEET], sheets[MEASURE_SHEET]
    if income_sheet.present and links.has_link_columns(INCOME_SHEET, income_sheet.keys, errors):
        history.income_rows(income_sheet.rows, links, errors, today, cursor)
    if measure_sheet.present and links.has_link_columns(MEASURE_SHEET, measure_sheet.keys, errors):
        history.measure_rows(measure_sheet.rows, links, errors, today, cursor)
    cursor.at("", None, "与已建档数据比对")
    report(70, "正在与已建档数据比对（户编号、户主、重复人员）…")
    existing.match(plans, errors, actor=actor, lock=lock)
    history.check_stated_incomes(plans, errors)
    result.households = plans
    cursor.at("", None, "整理校验结果")
    report(90, "校验完成，正在整理结果…")
    return result
