"""A county's existing register brought in as it stands: status, identification/exit/return years, 监测标识,
帮扶责任人, incomes by year and help measures by year — and what cannot be true together refused."""
import datetime
import io
from decimal import Decimal

import pytest

from conftest import VILLAGE_A
from households.choices import HouseholdStatus, MeasureCategory, MeasureStatus, MonitoringFlag
from households.imports.columns import HOUSEHOLD_SHEET, INCOME_SHEET, MEASURE_SHEET
from households.imports.pipeline import import_workbook, validate_source
from households.models import (
    Helper,
    HelperAssignment,
    HelpMeasure,
    Household,
    HouseholdStatusChange,
    IncomeRecord,
)
from households.tests.import_files import (
    member_row,
    person_id,
)
from households.tests.register_files import family, register, register_file

pytestmark = pytest.mark.django_db


def _household(person: int) -> Household:
    return Household.objects.get(members__id_number=person_id(person), members__relation__in=["02", "head"])


def test_a_register_lands_with_status_years_incomes_measures_and_helpers(village_cadre_a):
    households, members, incomes, measures = register()
    outcome = import_workbook(source=register_file(households, members, incomes, measures), actor=village_cadre_a)
    assert outcome.is_committed, outcome.result.errors.as_dicts()
    summary = outcome.summary
    assert summary["households_created"] == 4
    assert summary["households_by_status"] == {"exited": 2, "returned": 1, "identified": 1}
    assert (summary["incomes_created"], summary["measures_created"], summary["helpers_assigned"]) == (3, 2, 1)

    exited = _household(0)
    assert exited.status == HouseholdStatus.EXITED and exited.exit_date == datetime.date(2016, 7, 1)
    history = list(exited.status_changes.order_by("effective_date").values_list("to_status", "effective_date", "reason"))
    assert [(to, on) for to, on, _ in history] == [("identified", datetime.date(2014, 7, 1)), ("exited", datetime.date(2016, 7, 1))]
    assert all("按当年 7 月 1 日记" in reason for _, _, reason in history)

    returned = _household(2)
    assert returned.status == HouseholdStatus.RETURNED and returned.exit_date == datetime.date(2016, 12, 20)
    changes = list(returned.status_changes.order_by("effective_date").values_list("to_status", "effective_date", "reason"))
    assert [(to, on) for to, on, _ in changes] == [
        ("identified", datetime.date(2015, 7, 1)), ("exited", datetime.date(2016, 12, 20)), ("returned", datetime.date(2018, 7, 1))]
    assert "7 月 1 日" not in changes[1][2] and "7 月 1 日" in changes[2][2]  # the exit date was in the file

    poor = _household(4)
    assert poor.status == HouseholdStatus.IDENTIFIED and poor.exit_date is None and poor.planned_exit_year == 2019
    assert _household(6).monitoring_flag == MonitoringFlag.EXITED_MONITORED

    income = IncomeRecord.objects.get(household=exited, year=2016)
    assert (income.net_income, income.member_count, income.per_capita_net_income) == (Decimal("11001.00"), 2, Decimal("5500.50"))
    assert IncomeRecord.objects.get(household=returned, year=2016).per_capita_net_income == Decimal("2333.50")
    assert IncomeRecord.objects.get(household=poor, year=2017).per_capita_net_income == Decimal("125.13")  # 1001 ÷ 8 四舍五入

    assert list(HelpMeasure.objects.filter(household=exited).order_by("year").values_list("year", "category", "status", "amount")) == [
        (2015, MeasureCategory.INDUSTRY, MeasureStatus.ENDED, Decimal("1200.00")),
        (2016, MeasureCategory.EDUCATION, MeasureStatus.ENDED, Decimal("3000.00"))]
    helper = Helper.objects.get(name="李帮扶")
    assert (helper.unit, helper.phone, helper.area.code) == ("县农业农村局", "0871-1234567", VILLAGE_A)
    assignment = HelperAssignment.objects.get(household=exited)
    assert assignment.helper == helper and assignment.start_date == datetime.date(2014, 7, 1) and assignment.end_date is None


def test_re_importing_the_register_changes_nothing_and_the_preview_says_so(village_cadre_a):
    households, members, incomes, measures = register()
    content = register_file(households, members, incomes, measures)
    assert import_workbook(source=content, actor=village_cadre_a).is_committed
    counts = (HouseholdStatusChange.objects.count(), IncomeRecord.objects.count(), HelpMeasure.objects.count(),
              HelperAssignment.objects.count(), Helper.objects.count())

    preview = validate_source(source=content, actor=village_cadre_a)
    assert preview.is_valid and preview.preview_text() == "新建 0 户，更新 0 户，无变化 4 户"
    outcome = import_workbook(source=content, actor=village_cadre_a)
    assert outcome.summary["households_unchanged"] == 4 and outcome.summary["incomes_created"] == 0
    assert counts == (HouseholdStatusChange.objects.count(), IncomeRecord.objects.count(), HelpMeasure.objects.count(),
                      HelperAssignment.objects.count(), Helper.objects.count())


def test_a_changed_income_a_new_measure_and_a_new_helper_are_updates_in_preview_and_commit(today, village_cadre_a):
    households, members, incomes, measures = register()
    assert import_workbook(source=register_file(households, members, incomes, measures), actor=village_cadre_a).is_committed
    households[0]["转移性收入"] = 2001
    households[0]["人均纯收入"] = None
    households[2]["帮扶责任人"], households[2]["帮扶责任人单位"] = "王结对", "乡政府"
    measures.append({"户主身份证号": person_id(6), "年度": 2017, "措施类别": "就业扶贫", "具体措施": "公益性岗位"})
    content = register_file(households, members, incomes, measures)

    preview = validate_source(source=content, actor=village_cadre_a)
    assert preview.preview_text() == "新建 0 户，更新 3 户，无变化 1 户"
    outcome = import_workbook(source=content, actor=village_cadre_a)
    assert (outcome.summary["households_updated"], outcome.summary["incomes_updated"], outcome.summary["measures_created"],
            outcome.summary["helpers_assigned"]) == (3, 1, 1, 1)
    assert IncomeRecord.objects.get(household=_household(0), year=2016).per_capita_net_income == Decimal("6000.50")
    assert HelperAssignment.objects.get(household=_household(4)).start_date == today


@pytest.mark.parametrize(("columns", "place", "message"), [
    ({"贫困户状态": "已脱贫"}, "脱贫年度", "贫困户状态为“已脱贫”，请填写脱贫年度"),
    ({"贫困户状态": "已脱贫", "脱贫年度": 2014, "识别年度": 2016}, "脱贫年度", "脱贫年度（2014）不能早于识别年度（2016）"),
    ({"贫困户状态": "未脱贫", "脱贫年度": 2016}, "脱贫年度", "不应有脱贫年度"),
    ({"脱贫年度": 2016}, "贫困户状态", "请同时填写贫困户状态"),
    ({"贫困户状态": "返贫", "脱贫年度": 2016}, "返贫年度", "请填写返贫年度"),
    ({"贫困户状态": "返贫", "脱贫年度": 2018, "返贫年度": 2017}, "返贫年度", "返贫年度（2017）不能早于脱贫年度（2018）"),
    ({"贫困户状态": "已脱贫", "脱贫年度": 2017, "返贫年度": 2018}, "返贫年度", "只有返贫户填写返贫年度"),
    ({"贫困户状态": "拟退出（待验收）"}, "贫困户状态", "不是有效选项"),
    ({"贫困户状态": "未脱贫", "监测标识": "脱贫监测户"}, "监测标识", "“脱贫监测户”是已脱贫的户"),
    ({"收入年度": 2016, "工资性收入": -1200}, "工资性收入", "金额不能为负数"),
    ({"工资性收入": 1200}, "收入年度", "请同时填写收入年度"),
    ({"收入年度": 2016, "人均纯收入": 3000}, "人均纯收入", "只填写了人均纯收入"),
    ({"收入年度": 2016, "工资性收入": 6000, "人均纯收入": 3500}, "人均纯收入",
     "填写的人均纯收入 3500.00 元与按各项收入计算的 3000.00 元不一致（家庭纯收入 6000.00 元 ÷ 2 人）"),
    ({"收入年度": 2016, "工资性收入": "12.345"}, "工资性收入", "最多保留两位小数"),
    ({"帮扶责任人": "李帮扶"}, "帮扶责任人单位", "请填写帮扶责任人的工作单位"),
])
def test_contradictions_are_errors_at_their_cell_and_nothing_is_written(village_cadre_a, columns, place, message):
    household, people = family(0, **columns)
    outcome = import_workbook(source=register_file([household], people), actor=village_cadre_a)
    assert not outcome.is_committed
    errors = outcome.result.errors.as_dicts()
    assert any(e["sheet"] == HOUSEHOLD_SHEET and e["row"] == 2 and e["column"] == place and message in e["message"]
               for e in errors), errors
    assert not Household.objects.exists() and not IncomeRecord.objects.exists()


def test_income_and_measure_rows_are_checked_at_their_own_sheet_and_row(village_cadre_a):
    household, people = family(0)
    incomes = [{"户主身份证号": person_id(0), "年度": 2016, "工资性收入": 100},
               {"户主身份证号": person_id(0), "年度": 2016, "工资性收入": 200},
               {"户主身份证号": person_id(98), "年度": 2016, "工资性收入": 200},
               {"户主身份证号": person_id(0), "年度": 2017, "工资性收入": 200, "计算人数": 0}]
    measures = [{"户主身份证号": person_id(0), "年度": 2016, "措施类别": "修路", "具体措施": "通组路"},
                {"户主身份证号": person_id(0), "年度": 2010, "措施类别": "产业扶贫", "具体措施": "核桃苗"}]
    outcome = import_workbook(source=register_file([household], people, incomes, measures), actor=village_cadre_a)
    places = {(e["sheet"], e["row"], e["column"]) for e in outcome.result.errors.as_dicts()}
    assert places == {(INCOME_SHEET, 3, "年度"), (INCOME_SHEET, 4, "户主身份证号"), (INCOME_SHEET, 5, "计算人数"),
                      (MEASURE_SHEET, 2, "措施类别"), (MEASURE_SHEET, 3, "年度")}
    assert not Household.objects.exists()


def test_a_registered_household_keeps_its_status_unless_a_procedure_changes_it(village_cadre_a):
    households, members, incomes, measures = register()
    assert import_workbook(source=register_file(households, members, incomes, measures), actor=village_cadre_a).is_committed
    households[2]["贫困户状态"], households[2]["脱贫年度"] = "已脱贫", 2019
    households[0]["脱贫年度"] = 2017
    outcome = import_workbook(source=register_file(households, members, incomes, measures), actor=village_cadre_a)
    messages = {(e["row"], e["column"]): e["message"] for e in outcome.result.errors.as_dicts()}
    assert "只能通过识别、退出或返贫流程变更" in messages[(4, "贫困户状态")]
    assert "系统中该户的脱贫年度为 2016 年" in messages[(2, "脱贫年度")]
    assert _household(4).status == HouseholdStatus.IDENTIFIED


def test_a_file_without_the_history_columns_leaves_the_history_alone(village_cadre_a):
    households, members, incomes, measures = register()
    assert import_workbook(source=register_file(households, members, incomes, measures), actor=village_cadre_a).is_committed
    for row in households:
        for header in ("贫困户状态", "脱贫年度", "返贫年度", "监测标识", "帮扶责任人", "帮扶责任人单位", "帮扶责任人电话",
                       "收入年度", "工资性收入", "生产经营性收入", "生产经营性支出", "财产性收入", "转移性收入", "人均纯收入"):
            row.pop(header, None)
    outcome = import_workbook(source=register_file(households, members), actor=village_cadre_a)
    assert outcome.is_committed and outcome.summary["households_unchanged"] == 4
    assert _household(0).status == HouseholdStatus.EXITED and _household(6).monitoring_flag == MonitoringFlag.EXITED_MONITORED


def test_an_export_carries_the_history_and_re_imports_as_unchanged(village_cadre_a):
    from openpyxl import load_workbook

    from households.imports.export import household_export

    households, members, incomes, measures = register()
    assert import_workbook(source=register_file(households, members, incomes, measures), actor=village_cadre_a).is_committed
    export = household_export(actor=village_cadre_a, purpose="迁移", area_code=VILLAGE_A, mask_id_numbers=False)
    again = validate_source(source=export.content, actor=village_cadre_a)
    assert again.is_valid, again.errors.as_dicts()
    assert again.preview_text() == "新建 0 户，更新 0 户，无变化 4 户"

    workbook = load_workbook(io.BytesIO(export.content))

    def rows(sheet):
        values = list(workbook[sheet].iter_rows(values_only=True))
        return [dict(zip(values[0], row, strict=True)) for row in values[1:]]

    by_head = {row["户主身份证号"]: row for row in rows(HOUSEHOLD_SHEET)}
    returned = by_head[person_id(2)]
    assert (returned["贫困户状态"], returned["脱贫年度"], returned["返贫年度"]) == ("返贫", 2016, 2018)
    exited = by_head[person_id(0)]
    assert (exited["贫困户状态"], exited["脱贫年度"], exited["帮扶责任人"], exited["帮扶责任人单位"]) == (
        "已脱贫", 2016, "李帮扶", "县农业农村局")
    assert by_head[person_id(6)]["监测标识"] == "脱贫监测户"
    assert sorted((row["户主身份证号"], row["年度"], row["人均纯收入"]) for row in rows(INCOME_SHEET)) == sorted([
        (person_id(0), 2016, 5500.5), (person_id(2), 2016, 2333.5), (person_id(4), 2017, 125.13)])
    assert [(row["年度"], row["措施类别"], row["措施状态"]) for row in rows(MEASURE_SHEET)] == [
        (2015, "产业扶贫", "已结束"), (2016, "教育扶贫", "已结束")]


def test_register_wordings_of_category_causes_and_member_facts_read_through_the_alias_tables(village_cadre_a):
    from households.models import Member

    household, people = family(0, 贫困户属性="低保户", 主要致贫原因="因病致贫", 其他致贫原因="缺劳动力，因学致贫")
    people[1].update({"健康状况": "慢性病", "文化程度": "文盲", "在校生状况": "不在校", "特困供养": "无"})
    outcome = import_workbook(source=register_file([household], people), actor=village_cadre_a)
    assert outcome.is_committed, outcome.result.errors.as_dicts()
    record = _household(0)
    assert (record.category, record.primary_cause, record.other_cause_list) == ("dibao", "ILLNESS", ["LACK_LABOUR", "EDUCATION"])
    spouse = Member.objects.get(id_number=person_id(1, odd=False))
    assert (spouse.health_status, spouse.education_level, spouse.student_status, spouse.tekun) == ("chronic", "illiterate", "", "")


@pytest.mark.usefixtures("media_root", "eager_tasks")
def test_a_register_through_the_api_the_page_and_the_command_line(village_cadre_a, api_for, client_for, tmp_path, capsys,
                                                                   django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    households, members, incomes, measures = register()
    content = register_file(households, members, incomes, measures)
    path = tmp_path / "台账.xlsx"
    path.write_bytes(content)
    call_command("import_households", str(path), "--user", village_cadre_a.username, "--dry-run")
    out = capsys.readouterr().out
    assert "新建 4 户" in out and "将写入：新建户中建档立卡（未脱贫） 1 户、已脱贫 2 户、返贫 1 户；收入 3 条，帮扶措施 2 条，结对帮扶 1 户" in out

    api = api_for(village_cadre_a)
    upload = SimpleUploadedFile("台账.xlsx", content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/v1/imports/", {"file": upload}, format="multipart")
    job_id = created.json()["id"]
    job = api.get(f"/api/v1/imports/{job_id}/").json()
    assert job["status"] == "valid" and job["summary"]["households_by_status"] == {"identified": 1, "exited": 2, "returned": 1}
    page = client_for(village_cadre_a).get(f"/households/imports/{job_id}/").content.decode()
    assert "另将写入：新建户中建档立卡（未脱贫） 1 户、已脱贫 2 户、返贫 1 户" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/v1/imports/{job_id}/confirm/").status_code == 202
    job = api.get(f"/api/v1/imports/{job_id}/").json()
    assert job["status"] == "committed" and job["summary"]["incomes_created"] == 3
    page = client_for(village_cadre_a).get(f"/households/imports/{job_id}/").content.decode()
    assert "收入 3 条，帮扶措施 2 条，结对帮扶 1 户" in page
    assert sorted(Household.objects.values_list("status", flat=True)) == ["exited", "exited", "identified", "returned"]


@pytest.mark.usefixtures("media_root", "eager_tasks")
def test_the_job_message_says_what_the_history_adds(village_cadre_a, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from households.imports.jobs import import_job_confirm, import_job_create

    households, members, incomes, measures = register()
    upload = SimpleUploadedFile("台账.xlsx", register_file(households, members, incomes, measures))
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(actor=village_cadre_a, uploaded_file=upload)
    job.refresh_from_db()
    assert job.message.endswith("；新建户中建档立卡（未脱贫） 1 户、已脱贫 2 户、返贫 1 户；收入 3 条，帮扶措施 2 条，结对帮扶 1 户；请确认导入")
    with django_capture_on_commit_callbacks(execute=True):
        import_job_confirm(actor=village_cadre_a, job=job)
    job.refresh_from_db()
    assert job.message.endswith("；新建户中建档立卡（未脱贫） 1 户、已脱贫 2 户、返贫 1 户；收入 3 条，帮扶措施 2 条，结对帮扶 1 户")


def test_a_national_export_shaped_register_reads_its_headers_and_labels(village_cadre_a):
    from households.models import Member

    household, people = family(0, 识别年度=2014, 贫困户状态="脱贫户", 脱贫年度="2016年")
    people[1].update({"与户主关系": "之妻", "劳动能力": "普通劳动力", "务工地点": "乡（镇）外县内务工"})
    people.append(member_row(5, head=0, name="孙子", relation="之孙子", 劳动能力="无劳动力", 务工地点=None, 务工月数=0))
    rename = {"户主身份证号": "户主证件号码", "村（组）区划代码": "行政区划代码", "贫困户状态": "脱贫状态",
              "脱贫年度": "标注脱贫年度", "与户主关系": "与户主的关系", "劳动能力": "劳动技能", "务工地点": "务工状况",
              "务工月数": "务工时间（月）", "享受低保": "是否享受低保", "身份证号": "证件号码"}
    outcome = import_workbook(source=register_file([household], people, rename=rename), actor=village_cadre_a)
    assert outcome.is_committed, outcome.result.errors.as_dicts()
    assert {note["header"] for note in outcome.result.mapped_columns} >= {"户主证件号码", "劳动技能", "务工状况", "脱贫状态"}
    assert _household(0).status == HouseholdStatus.EXITED and _household(0).exit_date == datetime.date(2016, 7, 1)
    assert sorted(Member.objects.values_list("relation", "labour_capacity", "work_place")) == [
        ("02", "full", "in_county"), ("12", "full", "out_township"), ("41", "none", "")]  # a bare 县内 stays 县内
