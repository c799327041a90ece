"""The two sheets of the household workbook and their columns: one definition for the import template,
the reader and the export, so a file exported today has exactly the columns the importer expects.

Enumerations are written with the Chinese labels of ``households.choices`` (what 村级信息员 see in the
forms), never with the stored codes.
"""
from dataclasses import dataclass, field

from households.choices import (
    RETIRED_VALUES,
    EducationLevel,
    HealthStatus,
    HouseholdCategory,
    HouseholdStatus,
    LabourCapacity,
    MeasureCategory,
    MeasureStatus,
    MonitoringFlag,
    PovertyCause,
    Relation,
    StudentStatus,
    TekunKind,
    WorkPlace,
)

from .aliases import header_table

HOUSEHOLD_SHEET = "户信息"
MEMBER_SHEET = "成员信息"
INCOME_SHEET = "收入信息"
MEASURE_SHEET = "帮扶措施"
# Every sheet of the template, in order; the first two must be in a file, the others are read when present.
SHEETS = (HOUSEHOLD_SHEET, MEMBER_SHEET, INCOME_SHEET, MEASURE_SHEET)
REQUIRED_SHEETS = (HOUSEHOLD_SHEET, MEMBER_SHEET)
OPTIONAL_SHEETS = (INCOME_SHEET, MEASURE_SHEET)
ERROR_NOTE_HEADER = "错误说明"
# Separator of 其他致贫原因 labels; the reader also accepts the other separators people type.
CAUSE_SEPARATOR = "、"
CAUSE_SEPARATORS = ("、", "，", ",", "；", ";", "/", " ")

YES, NO = "是", "否"


class Kind:
    """How a column's cells are read and written."""

    TEXT = "text"  # free text, numbers written by Excel are turned back into their digits
    CODE = "code"  # digits only (区划代码, 户编号); kept as text
    ID_NUMBER = "id_number"  # GB 11643 number: a numeric cell is refused (idnumber.check_excel_cell)
    YEAR = "year"
    YEAR_OR_DATE = "year_or_date"  # 2016, 2016年, or a date (2016-12-20): the date when the file has one
    MONEY = "money"  # 元 to the fen, never negative
    INTEGER = "integer"
    CHOICE = "choice"  # one label of ``choices``
    CAUSES = "causes"  # several 致贫原因 labels separated by 、
    YES_NO = "yes_no"


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    kind: str = Kind.TEXT
    required: bool = False
    choices: tuple = ()  # (value, label) pairs for CHOICE / CAUSES
    default: object = ""
    width: int = 12
    hint: str = ""
    label_to_value: dict = field(default_factory=dict, compare=False, hash=False)
    alias_key: str = ""  # the key of the alias table this column reads (default: its own key)

    def __post_init__(self):
        object.__setattr__(self, "label_to_value", {label: value for value, label in self.choices})

    @property
    def labels(self) -> list[str]:
        """The labels offered (drop-down, help page, error messages): retired values left out."""
        return [label for value, label in self.choices if value not in self.retired]

    @property
    def retired(self) -> set:
        return {str(value) for enum, values in RETIRED_VALUES.items()
                if self.choices == _choices(enum) for value in values}

    @property
    def is_text_format(self) -> bool:
        return self.kind in (Kind.TEXT, Kind.CODE, Kind.ID_NUMBER)

    def label_for(self, value) -> str:
        for choice_value, label in self.choices:
            if choice_value == value:
                return label
        return "" if value in ("", None) else str(value)


def _choices(enum) -> tuple:
    """Every (value, label) of the enumeration: a retired value (``RETIRED_VALUES``) is still read and written
    with its label, but the drop-down and the error message offer only ``Column.labels``."""
    return tuple((str(value), str(label)) for value, label in enum.choices)


YES_NO_CHOICES = ((True, YES), (False, NO))
# The states a register can bring in: 拟识别 and 拟退出 are steps of the identification and exit procedures,
# and 已剔除 households are not registered households.
IMPORT_STATUSES = (HouseholdStatus.IDENTIFIED, HouseholdStatus.HELPED, HouseholdStatus.EXITED, HouseholdStatus.RETURNED)
IMPORT_STATUS_CHOICES = tuple((str(status.value), str(status.label)) for status in IMPORT_STATUSES)
# 家庭纯收入 = 工资性 + 生产经营性 − 生产经营性支出 + 财产性 + 转移性 (the fields of households.IncomeRecord).
INCOME_AMOUNT_KEYS = ("wage_income", "production_income", "production_expense", "property_income", "transfer_income")
INCOME_AMOUNT_COLUMNS = (
    Column("工资性收入", "wage_income", Kind.MONEY, default=None, width=12),
    Column("生产经营性收入", "production_income", Kind.MONEY, default=None, width=14),
    Column("生产经营性支出", "production_expense", Kind.MONEY, default=None, width=14),
    Column("财产性收入", "property_income", Kind.MONEY, default=None, width=12),
    Column("转移性收入", "transfer_income", Kind.MONEY, default=None, width=12),
)
_LINK_COLUMNS = (
    Column("户编号", "household_number", Kind.CODE, width=20, hint="与“户主身份证号”二选一，用于对应户信息表中的户"),
    Column("户主身份证号", "head_id_number", Kind.ID_NUMBER, width=22, hint="对应户信息表中的户主身份证号"),
)

HOUSEHOLD_COLUMNS: tuple[Column, ...] = (
    Column("户编号", "household_number", Kind.CODE, width=20,
           hint="首次导入留空，由系统编号；再次导入时按户编号更新该户"),
    Column("村（组）区划代码", "area_code", Kind.CODE, required=True, width=20,
           hint="12 位行政村代码或 15 位村民小组代码"),
    Column("户主姓名", "head_name", required=True, width=12),
    Column("户主身份证号", "head_id_number", Kind.ID_NUMBER, required=True, width=22,
           hint="18 位身份证号，本列为文本格式，请勿改为数字"),
    Column("住址", "address", width=28),
    Column("联系电话", "phone", width=16),
    Column("识别年度", "identification_year", Kind.YEAR, required=True, width=10),
    Column("贫困户属性", "category", Kind.CHOICE, required=True, choices=_choices(HouseholdCategory), width=16),
    Column("主要致贫原因", "primary_cause", Kind.CHOICE, required=True, choices=_choices(PovertyCause), width=16),
    Column("其他致贫原因", "other_causes", Kind.CAUSES, choices=_choices(PovertyCause), width=22,
           hint="可填多个，用“、”分隔，如：因学、缺技术", alias_key="primary_cause"),
    Column("计划脱贫年度", "planned_exit_year", Kind.YEAR, default=None, width=12),
    Column("易地扶贫搬迁户", "is_relocated", Kind.YES_NO, choices=YES_NO_CHOICES, default=False, width=14),
    Column("直过民族户", "is_zhiguo_minzu", Kind.YES_NO, choices=YES_NO_CHOICES, default=False, width=12),
    # The register's history: status and years. Blank means "not given": a new household is 建档立卡（未脱贫）,
    # a registered one keeps what it has.
    Column("贫困户状态", "status", Kind.CHOICE, choices=IMPORT_STATUS_CHOICES, default=None, width=18,
           hint="留空为“建档立卡（未脱贫）”；已脱贫须填脱贫年度，返贫须填脱贫年度和返贫年度"),
    Column("脱贫年度", "exit_year", Kind.YEAR_OR_DATE, default=None, width=12,
           hint="实际脱贫的年份（如 2016）或日期；只填年份时按当年 7 月 1 日记入状态变更记录"),
    Column("返贫年度", "return_year", Kind.YEAR_OR_DATE, default=None, width=12, hint="仅返贫户填写"),
    Column("监测标识", "monitoring_flag", Kind.CHOICE, choices=_choices(MonitoringFlag), default=None, width=14),
    Column("帮扶责任人", "helper_name", width=12, hint="结对帮扶责任人姓名；填写时须同时填写单位"),
    Column("帮扶责任人单位", "helper_unit", width=22),
    Column("帮扶责任人电话", "helper_phone", width=16),
    # One year's income on the household row; more years go on the 收入信息 sheet.
    Column("收入年度", "income_year", Kind.YEAR, default=None, width=10, hint="填写下列各项收入时必填"),
    *INCOME_AMOUNT_COLUMNS,
    Column("人均纯收入", "stated_per_capita", Kind.MONEY, default=None, width=12,
           hint="选填；填写时与按各项收入和在户人数计算的结果比对，相差 1 元以上为错误"),
)

MEMBER_COLUMNS: tuple[Column, ...] = (
    Column("户编号", "household_number", Kind.CODE, width=20, hint="与“户主身份证号”二选一，用于对应户信息表中的户"),
    Column("户主身份证号", "head_id_number", Kind.ID_NUMBER, width=22, hint="对应户信息表中的户主身份证号"),
    Column("姓名", "name", required=True, width=12),
    Column("身份证号", "id_number", Kind.ID_NUMBER, required=True, width=22,
           hint="18 位身份证号，本列为文本格式，请勿改为数字"),
    Column("与户主关系", "relation", Kind.CHOICE, required=True, choices=_choices(Relation), width=12,
           hint="户主本人也须列出，关系填“户主”"),
    Column("民族", "ethnicity", width=10),
    Column("文化程度", "education_level", Kind.CHOICE, choices=_choices(EducationLevel), width=14),
    Column("在校生状况", "student_status", Kind.CHOICE, choices=_choices(StudentStatus), width=14),
    Column("健康状况", "health_status", Kind.CHOICE, required=True, choices=_choices(HealthStatus), width=14),
    Column("劳动能力", "labour_capacity", Kind.CHOICE, required=True, choices=_choices(LabourCapacity), width=22),
    Column("务工地点", "work_place", Kind.CHOICE, choices=_choices(WorkPlace), width=14),
    Column("务工月数", "work_months", Kind.INTEGER, default=0, width=10, hint="0 到 12"),
    Column("享受低保", "is_dibao", Kind.YES_NO, choices=YES_NO_CHOICES, default=False, width=10),
    Column("特困供养", "tekun", Kind.CHOICE, choices=_choices(TekunKind), width=12),
    Column("参加基本医疗保险", "has_medical_insurance", Kind.YES_NO, choices=YES_NO_CHOICES, default=False, width=16),
    Column("参加大病保险", "has_serious_illness_insurance", Kind.YES_NO, choices=YES_NO_CHOICES, default=False, width=14),
)

INCOME_COLUMNS: tuple[Column, ...] = (
    *_LINK_COLUMNS,
    Column("年度", "year", Kind.YEAR, required=True, width=8),
    *INCOME_AMOUNT_COLUMNS,
    Column("计算人数", "member_count", Kind.INTEGER, default=None, width=10,
           hint="当年计算人均收入的家庭人口；留空按成员信息表中的在户人数"),
    Column("人均纯收入", "stated_per_capita", Kind.MONEY, default=None, width=12,
           hint="选填；填写时与计算结果比对，相差 1 元以上为错误"),
)

MEASURE_COLUMNS: tuple[Column, ...] = (
    *_LINK_COLUMNS,
    Column("年度", "year", Kind.YEAR, required=True, width=8),
    Column("措施类别", "category", Kind.CHOICE, required=True, choices=_choices(MeasureCategory), width=16),
    Column("具体措施", "measure", required=True, width=30),
    Column("金额（元）", "amount", Kind.MONEY, default=None, width=12),
    Column("资金来源", "fund_source", width=16),
    Column("责任单位", "responsible_unit", width=20),
    Column("措施状态", "status", Kind.CHOICE, choices=_choices(MeasureStatus), default=None, width=10,
           hint="留空时往年的措施记为“已结束”，今年的记为“实施中”"),
)

COLUMNS_BY_SHEET = {HOUSEHOLD_SHEET: HOUSEHOLD_COLUMNS, MEMBER_SHEET: MEMBER_COLUMNS,
                    INCOME_SHEET: INCOME_COLUMNS, MEASURE_SHEET: MEASURE_COLUMNS}


def headers(sheet: str) -> list[str]:
    return [column.header for column in COLUMNS_BY_SHEET[sheet]]


def column_by_key(sheet: str, key: str) -> Column:
    return next(column for column in COLUMNS_BY_SHEET[sheet] if column.key == key)


# Other names counties' registers (and the national system's exports) give to template columns: such a header
# is read as the template's column, with a note in the preview. Only headers the template has are targets; when
# the file has both the template's header and an alias of it, the template's header wins and the alias column
# is reported as not imported. The table is data: households/fixtures/import_aliases/headers.json.
HEADER_ALIASES: dict[str, dict[str, str]] = header_table().get("sheets", {})


def aliases(sheet: str) -> dict[str, str]:
    """Alias → template header, for the headers the template has."""
    known = set(headers(sheet))
    return {alias: header for alias, header in HEADER_ALIASES.get(sheet, {}).items() if header in known}
