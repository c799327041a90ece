"""与户主关系 as GB/T 4761 codes, 劳动技能 and 务工状况 as the national lists: the alias tables read the labels of
registers and national exports without loss, every offered label reads back to its value, the retired 县内 is
kept for stored records but offered nowhere, the coarse groupings, the help page and the data migration."""
import datetime
import importlib
import inspect
import io

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from openpyxl import Workbook, load_workbook

from conftest import GROUP_A1, VILLAGE_A
from households.choices import (
    RELATION_GROUPS,
    LabourCapacity,
    LabourGroup,
    Relation,
    RelationGroup,
    WorkPlace,
    WorkPlaceGroup,
    labour_group,
    relation_group,
    work_place_group,
    work_places_in_group,
)
from households.forms import MemberForm
from households.imports.aliases import normalise_label, value_tables
from households.imports.columns import COLUMNS_BY_SHEET, MEMBER_SHEET, Kind, column_by_key
from households.imports.errors import ErrorList
from households.imports.pipeline import import_workbook
from households.imports.reader import cell_parser, read_workbook
from households.imports.resources import MemberResource
from households.models import HouseholdEvent, Member
from households.quality import household_quality_warnings
from households.services import member_add
from households.tests.factories import member_data, register_household
from households.tests.import_files import household_row, member_row, person_id, workbook_bytes
from villages.models import Area

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 30)
RETIRED_LABEL = "县内务工（未区分乡镇内外）"


def all_value_tables() -> list[dict]:
    tables = value_tables()
    return list(tables.values() if isinstance(tables, dict) else tables)


def table_column(table) -> tuple[str, object]:
    """The sheet and template column a value table is for (its sheet when it names one)."""
    sheets = [table["sheet"]] if table.get("sheet") in COLUMNS_BY_SHEET else list(COLUMNS_BY_SHEET)
    return next((sheet, column) for sheet in sheets for column in COLUMNS_BY_SHEET[sheet]
                if column.key == table["column"] and column.kind == Kind.CHOICE)


def read_cell(column, text, sheet=MEMBER_SHEET):
    """One cell read as the reader reads it (on ``sheet`` when the reader tells sheets apart)."""
    if "sheet" in inspect.signature(cell_parser).parameters:
        return cell_parser(column, TODAY, {}, sheet)(text)
    return cell_parser(column, TODAY, {})(text)


# ---------------------------------------------------------------- the alias tables


def test_the_three_national_tables_are_there():
    columns = {table["column"] for table in all_value_tables()}
    assert {"relation", "labour_capacity", "work_place"} <= columns


@pytest.mark.parametrize("table", all_value_tables(), ids=lambda table: table["column"])
def test_every_alias_names_a_stored_value_of_its_column_and_never_contradicts_a_label(table):
    sheet, column = table_column(table)
    values = {value for value, _label in column.choices}
    labels = {normalise_label(label): value for value, label in column.choices}
    assert table["title"] and table["aliases"]
    for alias, value in table["aliases"].items():
        assert value in values, f"{table['column']}: {alias} → {value!r} is not a value of {column.header}"
        # A label is read before any alias: an alias equal to a label with another value would never apply.
        assert labels.get(normalise_label(alias), value) == value, alias
        assert read_cell(column, alias, sheet) == value


@pytest.mark.parametrize(("alias", "code"), [
    ("之孙子", "41"), ("之孙女", "42"), ("之外孙子", "43"), ("之外孙女", "44"), ("之父", "51"), ("之母", "52"),
    ("之公公", "53"), ("之婆婆", "54"), ("之岳父", "55"), ("之岳母", "56"), ("之妻", "12"), ("之夫", "11"),
    ("之子", "20"), ("之长子", "22"), ("之次子", "23"), ("之女", "30"), ("之儿媳", "38"), ("之女婿", "28"),
    ("之兄", "71"), ("之弟", "73"), ("之姐", "75"), ("之妹", "77"), ("之祖父", "61"), ("之祖母", "62"),
    ("本人", "02"), ("户主本人", "02"), ("妻子", "12"), ("丈夫", "11"), ("儿子", "20"), ("女儿", "30"),
    ("孙子女", "40"), ("祖父母", "60"), ("兄弟姐妹", "70"), ("其他亲属", "97"), ("非亲属", "99"),
    ("户主", "02"), ("配偶", "10"), ("子", "20"), ("其他", "80"),
])
def test_register_and_national_export_relations_read_as_gbt_4761_codes(alias, code):
    assert read_cell(column_by_key(MEMBER_SHEET, "relation"), alias) == code


@pytest.mark.parametrize(("text", "value"), [
    ("全劳动力", "full"), ("普通劳动力", "full"), ("技能劳动力", "skilled"), ("半劳动力（弱劳动力）", "partial"),
    ("半劳动力(弱劳动力)", "partial"), ("弱劳动力或半劳动力", "partial"), ("丧失劳动力", "lost"),
    ("无劳动力（非劳动年龄）", "none"), ("无劳动力", "none"),
])
def test_old_and_national_labour_labels(text, value):
    assert read_cell(column_by_key(MEMBER_SHEET, "labour_capacity"), text) == value


@pytest.mark.parametrize(("text", "value"), [
    ("县内", "in_county"), ("乡镇内务工", "in_township"), ("乡(镇)内务工", "in_township"),
    ("乡（镇）内务工", "in_township"), ("乡镇外县内务工", "out_township"), ("乡（镇）外县内务工", "out_township"),
    ("县外省内", "in_province"), ("县外省内务工", "in_province"), ("省外", "out_of_province"),
    ("省外务工", "out_of_province"), ("未外出务工", ""), (RETIRED_LABEL, "in_county"),
])
def test_old_and_national_work_place_labels(text, value):
    assert read_cell(column_by_key(MEMBER_SHEET, "work_place"), text) == value


# ---------------------------------------------------------------- labels written by the template and the export


def _label_workbook() -> tuple[bytes, dict]:
    """Every sheet of the template with, in each choice column, one row per value written with its label."""
    workbook = Workbook()
    expected = {}
    for index, (sheet, columns) in enumerate(COLUMNS_BY_SHEET.items()):
        worksheet = workbook.active if index == 0 else workbook.create_sheet()
        worksheet.title = sheet
        worksheet.append([column.header for column in columns])
        choice_columns = [column for column in columns if column.kind == Kind.CHOICE]
        rows = max((len(column.choices) for column in choice_columns), default=0)
        for row in range(rows):
            worksheet.append([column.label_for(column.choices[row][0])
                              if column in choice_columns and row < len(column.choices) else None
                              for column in columns])
        expected[sheet] = {column.key: [value for value, _label in column.choices] for column in choice_columns}
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), expected


def test_every_label_the_template_writes_reads_back_to_its_value():
    content, expected = _label_workbook()
    parsed = read_workbook(content, ErrorList(), TODAY)
    checked = 0
    for sheet, columns in expected.items():
        rows = parsed[sheet].rows
        for key, values in columns.items():
            for row, value in zip(rows, values, strict=False):
                assert row.values.get(key) == value, (sheet, key, value)
                checked += 1
    assert checked >= len(Relation.values) + len(WorkPlace.values) + len(LabourCapacity.values)


def test_the_export_writes_codes_as_labels_that_read_back(village_cadre_a):
    household = register_household(actor=village_cadre_a, area=Area.objects.get(code=GROUP_A1), sequence=601,
                                    head_name="罗大", members=[member_data(601, name="罗大", work_place="in_county",
                                                                           work_months=5)])
    member_add(actor=village_cadre_a, household=household,
               data=member_data(602, name="罗孙", relation=Relation.GRANDSON, labour_capacity="partial",
                                work_place="in_township", work_months=3, birth="20000101"))
    # The member sheet of the export (households.imports.export writes these rows).
    dataset = MemberResource().export(Member.objects.filter(household=household).select_related("household"))
    header = tuple(dataset.headers)
    exported = {row[header.index("姓名")]: row for row in dataset}
    relation, labour, work = (column_by_key(MEMBER_SHEET, key) for key in ("relation", "labour_capacity", "work_place"))
    grandson, head = exported["罗孙"], exported["罗大"]
    assert grandson[header.index("与户主关系")] == "孙子" and head[header.index("与户主关系")] == "户主"
    assert grandson[header.index("劳动能力")] == "弱劳动力或半劳动力"
    assert grandson[header.index("务工地点")] == "乡（镇）内务工" and head[header.index("务工地点")] == RETIRED_LABEL
    assert read_cell(relation, grandson[header.index("与户主关系")]) == "41"
    assert read_cell(labour, grandson[header.index("劳动能力")]) == "partial"
    assert read_cell(work, grandson[header.index("务工地点")]) == "in_township"
    assert read_cell(work, head[header.index("务工地点")]) == "in_county"  # a stored 县内 survives a round trip


# ---------------------------------------------------------------- a county register


def test_a_register_with_national_labels_keeps_every_distinction(village_cadre_a):
    households = [household_row(0)]
    members = [
        member_row(0, head=0),
        member_row(1, head=0, name="孙子甲", relation="之孙子", 务工地点="乡（镇）内务工", 劳动能力="弱劳动力或半劳动力"),
        member_row(2, head=0, name="外孙女乙", relation="之外孙女", odd=False, 务工地点="乡镇外县内务工"),
        member_row(3, head=0, name="岳母丙", relation="之岳母", odd=False, 务工地点="", 务工月数=0,
                   劳动能力="丧失劳动力"),
        member_row(4, head=0, name="父丁", relation="之父", 务工地点="省外", 劳动能力="无劳动力（非劳动年龄）"),
    ]
    outcome = import_workbook(source=workbook_bytes(households, members), actor=village_cadre_a)
    assert outcome.is_committed, [error for error in outcome.result.errors.sorted()]
    stored = {m.name: (m.relation, m.work_place, m.labour_capacity) for m in Member.objects.all()}
    assert stored == {
        "户主0": ("02", "in_county", "full"),  # the fixture's 县内 and 全劳动力
        "孙子甲": ("41", "in_township", "partial"),
        "外孙女乙": ("44", "out_township", "full"),
        "岳母丙": ("56", "", "lost"),
        "父丁": ("51", "out_of_province", "none"),
    }
    assert Member.objects.get(id_number=person_id(1)).get_relation_display() == "孙子"


# ---------------------------------------------------------------- the help page


def test_help_page_lists_every_column_and_every_alias_table(client_for, village_cadre_a):
    upload = client_for(village_cadre_a).get("/households/imports/").content.decode()
    assert 'href="/households/imports/help/"' in upload
    response = client_for(village_cadre_a).get("/households/imports/help/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="viewport"' in page  # base page: laid out for a phone
    for sheet, columns in COLUMNS_BY_SHEET.items():
        assert f"工作表“{sheet}”" in page
        for column in columns:
            assert f"<th scope=\"row\">{column.header}</th>" in page
    assert "必填" in page and "选填" in page and "户主本人也须列出" in page
    assert "乡（镇）内务工、乡（镇）外县内务工、县外省内务工、省外务工" in page
    for table in all_value_tables():
        assert table["title"] in page
        for alias in table["aliases"]:
            assert f"<th scope=\"row\">{alias}</th>" in page
    assert "<th scope=\"row\">之孙子</th><td>41 孙子</td>" in page
    assert "<th scope=\"row\">全劳动力</th><td>普通劳动力</td>" in page
    assert f"<th scope=\"row\">县内</th><td>{RETIRED_LABEL} <span class=\"muted\">（旧数据专用" in page
    assert "<th scope=\"row\">公民身份号码</th><td>身份证号</td>" in page  # the header table


# ---------------------------------------------------------------- the retired 县内


def test_retired_in_county_is_not_offered_but_a_stored_one_is_shown(client_for, village_cadre_a):
    offered = dict(MemberForm().fields["work_place"].choices)
    assert "in_county" not in offered and offered["in_township"] == "乡（镇）内务工"
    assert "in_county" not in column_by_key(MEMBER_SHEET, "work_place").labels
    assert RETIRED_LABEL not in column_by_key(MEMBER_SHEET, "work_place").labels
    kept = MemberForm(initial={"work_place": "in_county"})
    assert dict(kept.fields["work_place"].choices)["in_county"] == RETIRED_LABEL
    assert f'<option value="in_county" selected>{RETIRED_LABEL}</option>' in str(kept["work_place"])

    template = load_workbook(io.BytesIO(client_for(village_cadre_a).get("/households/imports/template.xlsx").content))
    formulas = " ".join(str(validation.formula1) for sheet in template.worksheets
                        for validation in sheet.data_validations.dataValidation)
    cells = " ".join(str(cell) for sheet in template.worksheets for row in sheet.iter_rows(values_only=True)
                     for cell in row if cell)
    assert "乡（镇）内务工" in formulas + cells and RETIRED_LABEL not in formulas + cells

    household = register_household(actor=village_cadre_a, area=Area.objects.get(code=GROUP_A1), sequence=611,
                                   head_name="杨老", members=[member_data(611, name="杨老", work_place="in_county",
                                                                          work_months=4)])
    card = client_for(village_cadre_a).get(f"/households/{household.pk}/").content.decode()
    assert f"{RETIRED_LABEL} 4 个月" in card


def test_the_member_form_keeps_a_posted_retired_value(client_for):
    data = {"m-name": "杨老", "m-id_number": person_id(5), "m-relation": "02", "m-health_status": "healthy",
            "m-labour_capacity": "full", "m-work_place": "in_county", "m-work_months": "4"}
    form = MemberForm(data=data, prefix="m", initial={"work_place": "in_county"})
    assert form.is_valid(), form.errors
    assert form.member_data()["work_place"] == "in_county"
    changed = MemberForm(data={**data, "m-work_place": "in_township"}, prefix="m", initial={"work_place": "in_county"})
    assert changed.is_valid() and changed.member_data()["work_place"] == "in_township"


def test_the_member_form_offers_relations_under_their_groups():
    choices = MemberForm().fields["relation"].choices
    groups = {group: dict(options) for group, options in choices[1:]}
    assert list(groups) == [str(group.label) for group in RelationGroup]
    assert groups["孙子女"]["41"] == "孙子" and groups["父母"]["56"] == "岳母" and groups["女婿"] == {"28": "女婿"}
    assert "01" not in str(choices)


# ---------------------------------------------------------------- the coarse groupings


def test_relation_groups():
    assert set(RELATION_GROUPS) == set(Relation.values)
    assert relation_group("02") == RelationGroup.HEAD
    assert {relation_group(code) for code in ("10", "11", "12")} == {RelationGroup.SPOUSE}
    assert relation_group("27") == RelationGroup.SON and relation_group("37") == RelationGroup.DAUGHTER
    assert relation_group("28") == RelationGroup.SON_IN_LAW and relation_group("38") == RelationGroup.DAUGHTER_IN_LAW
    assert {relation_group(code) for code in ("41", "44", "45", "46", "47", "49")} == {RelationGroup.GRANDCHILD}
    assert {relation_group(code) for code in ("51", "53", "54", "55", "56", "57")} == {RelationGroup.PARENT}
    assert {relation_group(code) for code in ("61", "64", "65", "66", "68")} == {RelationGroup.GRANDPARENT}
    assert {relation_group(code) for code in ("71", "72", "76", "79")} == {RelationGroup.SIBLING}
    assert {relation_group(code) for code in ("80", "81", "93", "97", "99")} == {RelationGroup.OTHER}
    # The old names still point at the group codes, and each group code is in its own group.
    assert (Relation.HEAD, Relation.SPOUSE, Relation.GRANDCHILD, Relation.OTHER) == ("02", "10", "40", "80")
    for name in ("HEAD", "SPOUSE", "SON", "DAUGHTER", "DAUGHTER_IN_LAW", "SON_IN_LAW", "GRANDCHILD", "PARENT",
                 "GRANDPARENT", "SIBLING", "OTHER"):
        assert relation_group(Relation[name]) == RelationGroup[name]
    with pytest.raises(KeyError):
        relation_group("head")


def test_work_place_and_labour_groups():
    assert {work_place_group(value) for value in ("in_township", "out_township", "in_county")} == {WorkPlaceGroup.IN_COUNTY}
    assert work_place_group("in_province").label == "县外省内" and work_place_group("out_of_province").label == "省外"
    assert work_place_group("") == work_place_group(None) == WorkPlaceGroup.NONE
    assert sorted(work_places_in_group(WorkPlaceGroup.IN_COUNTY)) == ["in_county", "in_township", "out_township"]
    assert {labour_group(value) for value in ("full", "skilled", "partial")} == {LabourGroup.ABLE}
    assert {labour_group(value) for value in ("lost", "none")} == {LabourGroup.UNABLE}
    assert LabourGroup.ABLE.label == "有劳动能力" and LabourGroup.UNABLE.label == "无劳动能力"


def test_quality_check_counts_husband_and_wife_as_spouses(village_cadre_a):
    household = register_household(actor=village_cadre_a, area=Area.objects.get(code=VILLAGE_A), sequence=621,
                                    members=[member_data(621, name="甲"), member_data(622, name="乙", relation="11")])
    members = list(household.members.all())
    assert "户主与配偶性别相同，请核实与户主关系或身份证号" in household_quality_warnings(household, members)
    Member.objects.filter(name="乙").update(relation="41")
    members = list(household.members.all())
    assert "户主与配偶性别相同，请核实与户主关系或身份证号" not in household_quality_warnings(household, members)


# ---------------------------------------------------------------- the data migration

MIGRATION = importlib.import_module("households.migrations.0006_relation_codes_national_lists")
BEFORE = [("households", "0005_income_per_capita_half_up"), ("assessments", "0004_eligibility_reasons_text_hospital_columns")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_the_migration_converts_stored_relations_and_history_both_ways(village_cadre_a):
    household = register_household(actor=village_cadre_a, area=Area.objects.get(code=GROUP_A1), sequence=631,
                                   head_name="普大", members=[member_data(631, name="普大"),
                                                             member_data(632, name="普妻", relation="12", odd=False)])
    member_add(actor=village_cadre_a, household=household,
               data=member_data(633, name="普孙", relation="41", birth="20100101", work_place="out_township",
                                work_months=2))
    try:
        migrate(BEFORE)
        old = dict(Member.objects.values_list("name", "relation"))
        assert old == {"普大": "head", "普妻": "spouse", "普孙": "grandchild"}
        assert Member.objects.get(name="普孙").work_place == "in_county"  # the old list had only 县内
        assert HouseholdEvent.objects.get(type="member_added").changes["relation"] == "grandchild"
        # What the coarse list stored, and an edit's [before, after]:
        Member.objects.filter(name="普孙").update(relation="son_in_law")
        HouseholdEvent.objects.filter(type="member_added").update(
            changes={"member": "普孙", "relation": ["son", "son_in_law"]})
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert dict(Member.objects.values_list("name", "relation")) == {"普大": "02", "普妻": "10", "普孙": "28"}
    assert HouseholdEvent.objects.get(type="member_added").changes == {"member": "普孙", "relation": ["20", "28"]}


def test_the_conversion_tables_cover_every_code_and_every_old_value():
    assert set(MIGRATION.CODE_TO_OLD) >= set(Relation.values)
    assert set(MIGRATION.OLD_TO_CODE) == set(RelationGroup.values)
    for code in Relation.values:  # the frozen reverse agrees with today's grouping
        assert MIGRATION.CODE_TO_OLD[code] == relation_group(code).value
    for old, code in MIGRATION.OLD_TO_CODE.items():
        assert relation_group(code).value == old
