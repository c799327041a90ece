"""A deterministic import workbook of made-up households, for the speed benchmark and for trying the import.

No randomness: household ``i`` always gets the same village, names, facts and valid GB 11643 ID numbers
(built with ``idnumber.id_check_digit``), so two runs produce the same file. ``members_per_household`` may
be fractional: household ``i`` gets ``floor((i+1)·m) − floor(i·m)`` people, so the total is exactly
``floor(households·m)`` (20,000 × 3.5 = 70,000).

The file is stored the way Excel and WPS save a workbook a cadre filled in: strings in the shared-string table
(``xl/sharedStrings.xml``), numbers as numbers, ID and code columns as text cells in text-formatted columns,
with the template's header notes and drop-down lists (written with XlsxWriter). ``write_household_file(…,
inline_strings=True)`` writes the same rows the way openpyxl's write-only mode (the export) does instead: every
string inline in its cell, CJK characters as numeric character references, about twice the XML to parse.
"""
import csv
import datetime
import math
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from django.conf import settings
from openpyxl import Workbook

from households.choices import (
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
from households.idnumber import id_check_digit

from .columns import HOUSEHOLD_COLUMNS, HOUSEHOLD_SHEET, MEMBER_COLUMNS, MEMBER_SHEET, NO, YES, Kind
from .template import (
    COMMENT_AUTHOR,
    LAST_ROW,
    LISTS_SHEET,
    TEXT_FORMAT,
    add_lists_sheet,
    header_note,
    list_ranges,
    long_list_columns,
    prepare_sheet,
)

DEMO_COUNTY = "530427"
AREAS_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "xinping_areas.csv"
SURNAMES = "李王张刘陈杨赵黄周吴徐孙马朱胡郭何罗高林普白自方鲁施刀罕岩杞"
GIVEN = "国华明文兴发秀英丽芳春成德永志玉金光荣顺福美兰云红学建平安清海林生富贵正"
ETHNICITIES = ("彝族", "傣族", "汉族", "哈尼族", "拉祜族")
RELATION_ORDER = (Relation.HEAD, Relation.SPOUSE, Relation.SON, Relation.DAUGHTER, Relation.PARENT,
                  Relation.GRANDCHILD, Relation.DAUGHTER_IN_LAW, Relation.SIBLING)
CAUSES = [cause for cause in PovertyCause if cause != PovertyCause.OTHER]


@dataclass(frozen=True)
class Village:
    code: str
    name: str


def demo_villages(county_prefix: str = DEMO_COUNTY) -> list[Village]:
    """The villages of the demo county in ``fixtures/xinping_areas.csv``."""
    with AREAS_FIXTURE.open(encoding="utf-8-sig", newline="") as handle:
        return [Village(row["code"], row["name"]) for row in csv.DictReader(handle)
                if row.get("level") == "village" and row["code"].startswith(county_prefix)]


class _IdNumbers:
    """Unique valid ID numbers: per birth date, sequence codes in order, odd for men and even for women."""

    def __init__(self):
        self.used: dict[tuple[str, str], int] = {}

    def make(self, region: str, birth: datetime.date, male: bool) -> str:
        key = (region, birth.strftime("%Y%m%d"))
        counter = self.used.get(key, 0)
        if counter >= 500:
            raise ValueError("too many people born on one day in one region")
        self.used[key] = counter + 1
        body = f"{region}{key[1]}{counter * 2 + (1 if male else 0):03d}"
        return body + id_check_digit(body)


def _name(person: int) -> str:
    return SURNAMES[(person * 7) % len(SURNAMES)] + GIVEN[(person * 13) % len(GIVEN)] + GIVEN[(person * 17 + 5) % len(GIVEN)]


def _birth(household: int, relation: str, position: int) -> datetime.date:
    head_year = 1950 + household % 35
    year = {
        Relation.HEAD: head_year, Relation.SPOUSE: head_year + household % 3, Relation.PARENT: head_year - 26,
        Relation.SIBLING: head_year + 2, Relation.DAUGHTER_IN_LAW: min(head_year + 24, 2002),
        Relation.GRANDCHILD: min(head_year + 48, 2015),
    }.get(relation, min(head_year + 22 + position, 2012))
    return datetime.date(year, 1 + (household + position) % 12, 1 + (household * 3 + position) % 28)


def _label(enum, value) -> str:
    return str(enum(value).label)


def _member_row(household: int, position: int, person: int, relation: str, head_id: str, ids: _IdNumbers) -> list:
    birth = _birth(household, relation, position)
    male = relation in (Relation.HEAD, Relation.SON, Relation.PARENT) if relation != Relation.GRANDCHILD else person % 2 == 0
    age = 2020 - birth.year
    if relation == Relation.HEAD:
        id_number = head_id
    else:
        id_number = ids.make(DEMO_COUNTY, birth, male)
    in_school = 6 <= age <= 18
    labour = (LabourCapacity.NONE if age < 16 or age > 65 else
              (LabourCapacity.PARTIAL if person % 9 == 0 else LabourCapacity.FULL))
    works = labour == LabourCapacity.FULL and person % 3 == 0
    return [
        "", head_id, _name(person), id_number, _label(Relation, relation), ETHNICITIES[household % len(ETHNICITIES)],
        _label(EducationLevel, EducationLevel.PRIMARY if age < 40 else EducationLevel.ILLITERATE) if age >= 16 else "",
        _label(StudentStatus, StudentStatus.JUNIOR if age >= 12 else StudentStatus.PRIMARY) if in_school else _label(StudentStatus, ""),
        _label(HealthStatus, HealthStatus.CHRONIC if person % 11 == 0 else HealthStatus.HEALTHY),
        _label(LabourCapacity, labour),
        _label(WorkPlace, WorkPlace.IN_PROVINCE if works else ""), 8 if works else 0,
        YES if household % 7 == 0 else NO, _label(TekunKind, ""), YES, YES if person % 2 == 0 else NO,
    ]


def household_rows(*, households: int, members_per_household: float, villages: list[Village]):
    """(户信息 rows, 成员信息 rows) as lists in the template's column order."""
    if not villages:
        raise ValueError("no villages to spread the households over")
    ids = _IdNumbers()
    house_rows, member_rows = [], []
    person = 0
    for household in range(households):
        village = villages[household % len(villages)]
        size = math.floor((household + 1) * members_per_household) - math.floor(household * members_per_household)
        size = max(size, 1)
        head_birth = _birth(household, Relation.HEAD, 0)
        head_id = ids.make(DEMO_COUNTY, head_birth, True)
        identified = 2014 + household % 5
        primary = CAUSES[household % len(CAUSES)]
        other = CAUSES[(household + 3) % len(CAUSES)] if household % 4 == 0 else None
        house_rows.append([
            "", village.code, _name(person), head_id, f"{village.name}{1 + household % 12}组{1 + household // 97}号",
            f"13{(household * 7919) % 1_000_000_000:09d}", identified,
            _label(HouseholdCategory, (HouseholdCategory.GENERAL, HouseholdCategory.DIBAO, HouseholdCategory.GENERAL,
                                       HouseholdCategory.TEKUN)[household % 4]),
            _label(PovertyCause, primary), _label(PovertyCause, other) if other else "",
            min(identified + 1 + household % 3, 2020), YES if household % 10 == 0 else NO, YES if household % 6 == 0 else NO,
        ])
        for position in range(size):
            relation = RELATION_ORDER[position % len(RELATION_ORDER)] if position < len(RELATION_ORDER) else Relation.OTHER
            member_rows.append(_member_row(household, position, person, relation, head_id, ids))
            person += 1
    return house_rows, member_rows


def write_household_file(path, *, households: int, members_per_household: float, villages: list[Village],
                         inline_strings: bool = False) -> tuple[int, int]:
    """Write the workbook; returns (households, members) written."""
    house_rows, member_rows = household_rows(households=households, members_per_household=members_per_household,
                                             villages=villages)
    sheets = ((HOUSEHOLD_SHEET, HOUSEHOLD_COLUMNS, house_rows), (MEMBER_SHEET, MEMBER_COLUMNS, member_rows))
    (_write_inline if inline_strings else _write_shared)(path, sheets)
    return len(house_rows), len(member_rows)


def _write_inline(path, sheets):
    workbook = Workbook(write_only=True)
    long_lists = long_list_columns()
    ranges = list_ranges(long_lists)
    for sheet, columns, rows in sheets:
        worksheet = workbook.create_sheet(sheet)
        prepare_sheet(worksheet, columns, list_ranges=ranges)
        for row in rows:
            worksheet.append(row)
    add_lists_sheet(workbook, long_lists)
    workbook.save(str(path))


def _write_shared(path, sheets):
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                               "strings_to_urls": False})
    text = workbook.add_format({"num_format": TEXT_FORMAT})
    header_formats = {required: workbook.add_format({"bold": True, "bg_color": "#F2DCDB", "align": "center",
                                                     "valign": "vcenter", "num_format": TEXT_FORMAT,
                                                     **({"font_color": "#B3261E"} if required else {})})
                      for required in (True, False)}
    long_lists = long_list_columns()
    ranges = list_ranges(long_lists)
    for sheet, columns, rows in sheets:
        worksheet = workbook.add_worksheet(sheet)
        worksheet.freeze_panes(1, 0)
        for index, column in enumerate(columns):
            worksheet.set_column(index, index, column.width, text if column.is_text_format else None)
            worksheet.write_string(0, index, column.header, header_formats[column.required])
            worksheet.write_comment(0, index, header_note(column), {"author": COMMENT_AUTHOR, "x_scale": 2.5, "y_scale": 1.5})
            if column.kind in (Kind.CHOICE, Kind.YES_NO):
                worksheet.data_validation(1, index, LAST_ROW - 1, index, {
                    "validate": "list",
                    "source": ("=" + ranges[tuple(column.labels)]) if tuple(column.labels) in ranges
                    else [label for label in column.labels if label],
                    "ignore_blank": not column.required, "error_title": "无效选项",
                    "error_message": f"请从下拉列表中选择{column.header}"})
        text_columns = {index for index, column in enumerate(columns) if column.is_text_format}
        for number, row in enumerate(rows, start=1):
            for index, value in enumerate(row):
                if value == "" or value is None:
                    continue
                if index in text_columns:
                    worksheet.write_string(number, index, str(value), text)
                elif isinstance(value, str):
                    worksheet.write_string(number, index, value)
                else:
                    worksheet.write_number(number, index, value)
    if long_lists:  # the template's hidden sheet of drop-down lists longer than Excel's 255 characters
        lists = workbook.add_worksheet(LISTS_SHEET)
        lists.hide()
        for index, column in enumerate(long_lists):
            lists.write_column(0, index, [column.header, *column.labels])
    workbook.close()
