"""What a register holds besides the household and its members: status and years, 监测标识, the 帮扶责任人,
incomes by year and help measures by year (户信息 columns and the 收入信息 / 帮扶措施 sheets).

Past years are recorded as the register has them, not re-approved under today's rules: an exit in 2016 is
written into the status history as an exit in 2016. What cannot be true together is an error: an exit before
the identification year, 已脱贫 without an exit year, a return before the exit, a stated 人均纯收入 that the
incomes do not give. Where the file has only a year, the history is dated 1 July of that year (and says so).

Nothing here writes; ``commit_history`` does, with what ``existing_history`` found in the database.
"""
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from households.choices import HouseholdStatus, MeasureStatus, MonitoringFlag
from households.models import Helper
from households.money import per_head

from .columns import HOUSEHOLD_SHEET, INCOME_AMOUNT_KEYS, INCOME_SHEET, MEASURE_SHEET, column_by_key
from .errors import ErrorList

FIRST_RECORD_YEAR = 2013  # 建档立卡 began in 2014 with the 2013 poverty line and 2013 incomes
STATED_TOLERANCE = Decimal("1.00")  # a register's 人均纯收入 rounded to the 元 still agrees
MAX_INCOME_PERSONS = 50
EXITED_STATES = {HouseholdStatus.EXITED, HouseholdStatus.RETURNED}
YEAR_ONLY_NOTE = "原台账只记年度，生效日期按当年 7 月 1 日记"
HELPER_LIMITS = {key: Helper._meta.get_field(name).max_length
                 for key, name in (("helper_name", "name"), ("helper_unit", "unit"), ("helper_phone", "phone"))}


def _header(sheet: str, key: str) -> str:
    return column_by_key(sheet, key).header


def year_date(year: int, today: datetime.date) -> datetime.date:
    """1 July of ``year``, or today when that is still ahead."""
    return min(datetime.date(year, 7, 1), today)


@dataclass
class Dated:
    """A year or a date from the file, and the date the history uses for it."""

    on: datetime.date
    year_only: bool

    @property
    def year(self) -> int:
        return self.on.year


def dated(value, today) -> Dated | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date):
        return Dated(value, False)
    return Dated(year_date(value, today), True)


@dataclass
class IncomePlan:
    """One year's income of a household, from a 户信息 row or a 收入信息 row."""

    sheet: str
    row: int
    year: int
    amounts: dict  # INCOME_AMOUNT_KEYS → Decimal
    member_count: int | None = None  # as written (收入信息 计算人数); None = the household's members
    stated: Decimal | None = None
    existing_id: int | None = None
    changed: bool = True  # False when the database holds the same figures for that year

    @property
    def net_income(self) -> Decimal:
        a = self.amounts
        return (a["wage_income"] + a["production_income"] - a["production_expense"] + a["property_income"]
                + a["transfer_income"])


@dataclass
class HistoryPlan:
    """The register's history of one household row (None: the file does not give it)."""

    status: str | None = None
    exited: Dated | None = None
    returned: Dated | None = None
    monitoring_flag: str | None = None
    helper: dict | None = None  # {"name", "unit", "phone"}
    incomes: dict = field(default_factory=dict)  # year → IncomePlan
    measures: list = field(default_factory=list)  # dicts of HelpMeasure values, with "row"
    # Found by ``existing_history`` for a registered household: what the commit has to do.
    helper_id: int | None = None
    helper_changed: bool = False
    new_measures: list = field(default_factory=list)

    def final_status(self, existing) -> str:
        if self.status is not None:
            return self.status
        return existing.status if existing is not None else HouseholdStatus.IDENTIFIED


def household_history(plan, values: dict, row, errors: ErrorList, today: datetime.date):
    """Read and check the history columns of one 户信息 row into ``plan.history``."""
    history = plan.history
    history.status = values.get("status")
    history.monitoring_flag = values.get("monitoring_flag")
    history.exited = dated(values.get("exit_year"), today)
    history.returned = dated(values.get("return_year"), today)
    identified = plan.data.get("identification_year")
    status = history.status
    label = HouseholdStatus(status).label if status else ""

    def error(key, message):
        errors.add(HOUSEHOLD_SHEET, row.number, _header(HOUSEHOLD_SHEET, key), message)
        row.has_error = True

    if history.exited is not None:
        if status is None:
            error("status", "填写了脱贫年度，请同时填写贫困户状态（已脱贫或返贫）")
        elif status not in EXITED_STATES:
            error("exit_year", f"贫困户状态为“{label}”的户不应有脱贫年度；脱贫后又返贫的户，状态请填“返贫”并填写返贫年度")
        if isinstance(identified, int) and history.exited.year < identified:
            error("exit_year", f"脱贫年度（{history.exited.year}）不能早于识别年度（{identified}）")
        if history.exited.on > today:
            error("exit_year", "脱贫年度不能晚于今天")
    elif status in EXITED_STATES:
        error("exit_year", f"贫困户状态为“{label}”，请填写脱贫年度")
    if history.returned is not None:
        if status != HouseholdStatus.RETURNED:
            error("return_year", f"只有返贫户填写返贫年度（本行贫困户状态为“{label or '未填写'}”）")
        elif history.exited is not None and history.returned.on < history.exited.on:
            error("return_year", f"返贫年度（{history.returned.year}）不能早于脱贫年度（{history.exited.year}）")
        if history.returned.on > today:
            error("return_year", "返贫年度不能晚于今天")
    elif status == HouseholdStatus.RETURNED:
        error("return_year", "贫困户状态为“返贫”，请填写返贫年度")
    flag = history.monitoring_flag
    if flag == MonitoringFlag.EXITED_MONITORED and status is not None and status != HouseholdStatus.EXITED:
        error("monitoring_flag", f"“脱贫监测户”是已脱贫的户，本行贫困户状态为“{label}”")
    elif flag == MonitoringFlag.EDGE and status is not None:
        error("monitoring_flag", f"“边缘户”是未纳入建档立卡的农户，不能与贫困户状态“{label}”同时填写")
    _helper(history, values, error)
    _row_income(plan, values, row, errors, today)


def _helper(history: HistoryPlan, values: dict, error):
    name, unit, phone = (values.get(key) or "" for key in ("helper_name", "helper_unit", "helper_phone"))
    if not (name or unit or phone):
        return
    if not name:
        error("helper_name", "填写了帮扶责任人单位或电话，请填写帮扶责任人姓名")
    if name and not unit:
        error("helper_unit", "请填写帮扶责任人的工作单位")
    for key, text in (("helper_name", name), ("helper_unit", unit), ("helper_phone", phone)):
        if len(text) > HELPER_LIMITS[key]:
            error(key, f"不能超过 {HELPER_LIMITS[key]} 个字（当前 {len(text)} 个字）")
    if phone and not all(character.isdigit() or character in "-— " for character in phone):
        error("helper_phone", f"“{phone}”不是有效电话号码")
    if name and unit:
        history.helper = {"name": name, "unit": unit, "phone": phone}


def _income(sheet: str, row, values: dict, year_key: str, errors: ErrorList, today, member_count=None):
    """An IncomePlan from the amounts of a row, or None (no income on the row, or an error reported)."""
    given = {key: values.get(key) for key in INCOME_AMOUNT_KEYS}
    stated = values.get("stated_per_capita")
    year = values.get(year_key)
    if all(amount is None for amount in given.values()) and stated is None:
        if year is not None and sheet == HOUSEHOLD_SHEET:
            errors.add(sheet, row.number, _header(sheet, year_key), "填写了收入年度，但没有填写任何收入")
            row.has_error = True
        elif sheet != HOUSEHOLD_SHEET and year is not None:
            errors.add(sheet, row.number, _header(sheet, "wage_income"), "没有填写任何收入；没有的项目请填 0")
            row.has_error = True
        return None
    if year is None:
        if sheet == HOUSEHOLD_SHEET:
            errors.add(sheet, row.number, _header(sheet, year_key), "填写了收入，请同时填写收入年度")
            row.has_error = True
        return None
    if all(amount is None for amount in given.values()):
        errors.add(sheet, row.number, _header(sheet, "stated_per_capita"),
                   "只填写了人均纯收入，请同时填写工资性、生产经营性、财产性、转移性收入和生产经营性支出（没有的填 0）")
        row.has_error = True
        return None
    if not FIRST_RECORD_YEAR <= year <= today.year:
        errors.add(sheet, row.number, _header(sheet, year_key), f"收入年度应在 {FIRST_RECORD_YEAR} 至 {today.year} 之间")
        row.has_error = True
        return None
    if member_count is not None and not 1 <= member_count <= MAX_INCOME_PERSONS:
        errors.add(sheet, row.number, _header(sheet, "member_count"), f"计算人数应在 1 到 {MAX_INCOME_PERSONS} 之间")
        row.has_error = True
        return None
    if row.has_error:
        return None
    amounts = {key: amount if amount is not None else Decimal("0") for key, amount in given.items()}
    return IncomePlan(sheet=sheet, row=row.number, year=year, amounts=amounts, member_count=member_count, stated=stated)


def _add_income(plan, income: IncomePlan, errors: ErrorList):
    first = plan.history.incomes.get(income.year)
    if first is not None:
        errors.add(income.sheet, income.row, _header(income.sheet, "year" if income.sheet == INCOME_SHEET else "income_year"),
                   f"该户 {income.year} 年的收入已在{first.sheet}第 {first.row} 行填写")
        plan.has_error = True
        return
    plan.history.incomes[income.year] = income


def _row_income(plan, values, row, errors, today):
    income = _income(HOUSEHOLD_SHEET, row, values, "income_year", errors, today)
    if income is not None:
        _add_income(plan, income, errors)


def income_rows(rows, link, errors: ErrorList, today, cursor):
    """The 收入信息 rows, each added to its household's plan (``link(sheet, row, values)`` finds the plan)."""
    for row in rows:
        cursor.at(INCOME_SHEET, row.number)
        plan = link(INCOME_SHEET, row, row.values)
        income = _income(INCOME_SHEET, row, row.values, "year", errors, today, row.values.get("member_count"))
        if plan is not None and income is not None:
            _add_income(plan, income, errors)


def measure_rows(rows, link, errors: ErrorList, today, cursor):
    """The 帮扶措施 rows, each added to its household's plan."""
    limits = {"measure": 200, "fund_source": 100, "responsible_unit": 100}
    for row in rows:
        cursor.at(MEASURE_SHEET, row.number)
        values = row.values
        plan = link(MEASURE_SHEET, row, values)
        year = values.get("year")
        if isinstance(year, int) and not FIRST_RECORD_YEAR <= year <= today.year + 1:
            errors.add(MEASURE_SHEET, row.number, _header(MEASURE_SHEET, "year"),
                       f"年度应在 {FIRST_RECORD_YEAR} 至 {today.year + 1} 之间")
            row.has_error = True
        for key, limit in limits.items():
            text = values.get(key) or ""
            if len(text) > limit:
                errors.add(MEASURE_SHEET, row.number, _header(MEASURE_SHEET, key), f"不能超过 {limit} 个字（当前 {len(text)} 个字）")
                row.has_error = True
        if plan is None or row.has_error:
            continue
        status = values.get("status") or (MeasureStatus.ENDED if year < today.year else MeasureStatus.IN_EFFECT)
        plan.history.measures.append({
            "row": row.number, "year": year, "category": values["category"], "measure": values["measure"],
            "amount": values.get("amount") or Decimal("0"), "fund_source": values.get("fund_source") or "",
            "responsible_unit": values.get("responsible_unit") or "", "status": status,
        })


def income_members(plan, income: IncomePlan) -> int:
    return income.member_count or plan.member_count


def check_stated_incomes(plans, errors: ErrorList):
    """A stated 人均纯收入 agrees with the incomes ÷ persons (within STATED_TOLERANCE), after the members of each
    household are known (``existing`` counts the registered members a file leaves in place)."""
    for plan in plans:
        for income in plan.history.incomes.values():
            persons = income_members(plan, income)
            if income.stated is None or persons < 1:
                continue
            computed = per_head(income.net_income, persons)
            if abs(computed - income.stated) >= STATED_TOLERANCE:
                key = "stated_per_capita"
                errors.add(income.sheet, income.row, _header(income.sheet, key),
                           f"填写的人均纯收入 {income.stated} 元与按各项收入计算的 {computed} 元不一致"
                           f"（家庭纯收入 {income.net_income} 元 ÷ {persons} 人）；请核对各项收入或计算人数")
                plan.has_error = True


# ----- against the database --------------------------------------------------------------------------------------

def check_registered(plans, errors: ErrorList, today):
    """A registered household keeps its status and years unless a procedure changes them: the file may repeat
    them (or leave them blank), not contradict them."""
    from households.models import HouseholdStatusChange

    matched = [plan for plan in plans if plan.existing is not None and not plan.has_error]
    returned_ids = [plan.existing.pk for plan in matched
                    if plan.history.returned is not None and plan.existing.status == HouseholdStatus.RETURNED]
    return_years = {}
    for household_id, effective in (HouseholdStatusChange.objects.filter(
            household_id__in=returned_ids, to_status=HouseholdStatus.RETURNED)
            .order_by("household_id", "effective_date", "id").values_list("household_id", "effective_date")):
        return_years[household_id] = effective.year
    for plan in matched:
        household, history = plan.existing, plan.history

        def error(key, message, plan=plan):
            errors.add(HOUSEHOLD_SHEET, plan.row, _header(HOUSEHOLD_SHEET, key), message)
            plan.has_error = True

        if history.status is not None and history.status != household.status:
            error("status", f"该户已建档，系统中的状态为“{household.get_status_display()}”，与本行的"
                            f"“{HouseholdStatus(history.status).label}”不同；已建档户的状态只能通过识别、退出或返贫流程变更")
            continue
        if history.exited is not None and household.exit_date is not None and household.exit_date.year != history.exited.year:
            error("exit_year", f"系统中该户的脱贫年度为 {household.exit_date.year} 年，与本行的 {history.exited.year} 年不同；"
                               "已记录的脱贫年度不能通过导入修改")
        if history.returned is not None and household.pk in return_years and return_years[household.pk] != history.returned.year:
            error("return_year", f"系统中该户的返贫年度为 {return_years[household.pk]} 年，与本行的 {history.returned.year} 年不同；"
                                 "已记录的返贫年度不能通过导入修改")


def _helper_key(village_id, helper: dict) -> tuple:
    return (village_id, helper["name"], helper["unit"])


def find_history_changes(plans):
    """For each plan: which incomes and measures are new or changed, and whether its 帮扶责任人 changes, compared
    with the database in a few queries. Sets ``IncomePlan.existing_id``/``changed``, ``HistoryPlan.new_measures``,
    ``helper_id`` and ``helper_changed``; ``commit_history`` writes exactly these."""
    from households.models import HelperAssignment, HelpMeasure, IncomeRecord

    matched = {plan.existing.pk: plan for plan in plans if plan.existing is not None}
    ids = list(matched)
    stored_incomes, stored_measures, open_helpers = {}, set(), {}
    if ids:
        for record in IncomeRecord.objects.filter(household_id__in=ids).values(
                "id", "household_id", "year", "member_count", *INCOME_AMOUNT_KEYS):
            stored_incomes[(record["household_id"], record["year"])] = record
        for measure in HelpMeasure.objects.filter(household_id__in=ids).values_list(
                "household_id", "year", "category", "measure"):
            stored_measures.add(measure)
        for household_id, helper_id in HelperAssignment.objects.filter(
                household_id__in=ids, end_date__isnull=True).values_list("household_id", "helper_id"):
            open_helpers.setdefault(household_id, set()).add(helper_id)
    helpers = {}
    wanted = {_helper_key(plan.data["village"].pk, plan.history.helper) for plan in plans
              if plan.history.helper is not None and plan.data.get("village") is not None}
    if wanted:
        villages = {key[0] for key in wanted}
        for helper in Helper.objects.filter(area_id__in=villages, name__in={key[1] for key in wanted}).only(
                "id", "area_id", "name", "unit"):
            helpers.setdefault((helper.area_id, helper.name, helper.unit), helper.pk)
    for plan in plans:
        history = plan.history
        household_id = plan.existing.pk if plan.existing is not None else None
        for income in history.incomes.values():
            record = stored_incomes.get((household_id, income.year)) if household_id else None
            if record is None:
                continue
            income.existing_id = record["id"]
            persons = income_members(plan, income)
            income.changed = (any(record[key] != income.amounts[key] for key in INCOME_AMOUNT_KEYS)
                              or record["member_count"] != persons)
        history.new_measures = [
            measure for measure in history.measures
            if (household_id, measure["year"], measure["category"], measure["measure"]) not in stored_measures]
        if history.helper is not None and plan.data.get("village") is not None:
            history.helper_id = helpers.get(_helper_key(plan.data["village"].pk, history.helper))
            history.helper_changed = history.helper_id is None or history.helper_id not in open_helpers.get(household_id, set())


def history_changes(plan) -> list[str]:
    """What the commit would change in the history of a registered household (the 更新 of the preview)."""
    history, household = plan.history, plan.existing
    changes = []
    if history.monitoring_flag is not None and history.monitoring_flag != household.monitoring_flag:
        changes.append("监测标识")
    if any(income.existing_id is None or income.changed for income in history.incomes.values()):
        changes.append("收入")
    if history.new_measures:
        changes.append("帮扶措施")
    if history.helper is not None and history.helper_changed:
        changes.append("帮扶责任人")
    return changes
