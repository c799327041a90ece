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
    LabourCapacity,
    PovertyCause,
    Relation,
    StudentStatus,
    TekunKind,
    WorkPlace,
)

from .aliases import header_table

HOUSEHOLD_SHEET = "户信息"
MEMBER_SHEET = "成员信息"
SHEETS = (HOUSEHOLD_SHEET, MEMBER_SHEET)
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
           hint="可填多个，用“、”分隔，如：因学、缺技术"),
    Column("计划脱贫年度", "planned_exit_year", Kind.YEAR, default=None, width=12),
    Column("易地扶贫搬迁户", "is_relocated", Kind.YES_NO, choices=YES_NO_CHOICES, default=False, width=14),
    Column("直过民族户", "is_zhiguo_minzu", Kind.YES_NO, choices=YES_NO_CHOICES, default=False, width=12),
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

COLUMNS_BY_SHEET = {HOUSEHOLD_SHEET: HOUSEHOLD_COLUMNS, MEMBER_SHEET: MEMBER_COLUMNS}


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
