"""四舍五入 to the fen for every division of money; a masked export refused as a whole with one sentence; the
preview counting 新建/更新/无变化 as the commit does."""
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from openpyxl import load_workbook

from conftest import VILLAGE_A
from households.imports.export import household_export
from households.imports.pipeline import MASKED_EXPORT_MESSAGE, import_workbook, validate_source
from households.imports.template import MARK_SHEET
from households.models import Household, HouseholdEvent, IncomeRecord, Member
from households.money import per_head, yuan
from households.services import income_record_save
from households.tests.factories import member_data, register_household
from households.tests.import_files import (
    many_households,
    workbook_bytes,
)
from villages.models import Area

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- 四舍五入 to the fen

def test_yuan_rounds_half_up_like_postgresql_round():
    assert per_head(1001, 8) == Decimal("125.13")  # 125.125; half-even would give 125.12
    assert per_head(-1001, 8) == Decimal("-125.13")
    assert yuan("0.005") == Decimal("0.01") and yuan(Decimal("2.675")) == Decimal("2.68")
    with connection.cursor() as cursor:
        cursor.execute("SELECT round(1001::numeric / 8, 2), round(-1001::numeric / 8, 2), round(0.005::numeric, 2)")
        assert cursor.fetchone() == (per_head(1001, 8), per_head(-1001, 8), yuan("0.005"))


def _household_of_eight(actor):
    return register_household(actor=actor, area=Area.objects.get(code=VILLAGE_A), sequence=300, head_name="杨八",
                              members=[member_data(300, name="杨八")])


def test_per_capita_income_of_1001_yuan_for_8_people_is_125_13_in_the_record_and_on_the_page(client_for, village_cadre_a):
    household = _household_of_eight(village_cadre_a)
    record = income_record_save(actor=village_cadre_a, household=household, year=2018,
                                data={"wage_income": "1001", "member_count": 8})
    record.refresh_from_db()
    assert (record.net_income, record.per_capita_net_income) == (Decimal("1001.00"), Decimal("125.13"))
    loss = income_record_save(actor=village_cadre_a, household=household, year=2019,
                              data={"production_expense": "1001", "member_count": 8})
    assert IncomeRecord.objects.get(pk=loss.pk).per_capita_net_income == Decimal("-125.13")
    page = client_for(village_cadre_a).get(f"/households/{household.pk}/").content.decode()
    assert "125.13" in page and "125.12" not in page


# ---------------------------------------------------------------- masked exports

@pytest.fixture
def registered_file(village_cadre_a):
    """Three households imported from a file; the file's bytes."""
    content = workbook_bytes(*many_households(3))
    assert import_workbook(source=content, actor=village_cadre_a).is_committed
    return content


def _only_masked_message(result):
    assert [error.as_dict() for error in result.errors.sorted()] == [
        {"sheet": "", "row": None, "column": "", "message": MASKED_EXPORT_MESSAGE}]


def test_a_masked_export_is_refused_with_one_sentence_and_nothing_changes(registered_file, village_cadre_a, tmp_path, capsys):
    export = household_export(actor=village_cadre_a, purpose="核对台账")
    events = HouseholdEvent.objects.count()
    outcome = import_workbook(source=export.content, actor=village_cadre_a)
    _only_masked_message(outcome.result)
    assert not outcome.is_committed and HouseholdEvent.objects.count() == events
    path = tmp_path / "导出.xlsx"
    path.write_bytes(export.content)
    with pytest.raises(CommandError, match="共 1 处错误"):
        call_command("import_households", str(path), "--user", village_cadre_a.username)
    assert MASKED_EXPORT_MESSAGE in capsys.readouterr().err


def test_masked_ids_without_the_export_note_are_still_recognised(registered_file, village_cadre_a):
    workbook = load_workbook(io.BytesIO(household_export(actor=village_cadre_a, purpose="核对台账").content))
    del workbook[MARK_SHEET]
    workbook.properties.title = workbook.properties.subject = workbook.properties.description = None
    buffer = io.BytesIO()
    workbook.save(buffer)
    _only_masked_message(validate_source(source=buffer.getvalue(), actor=village_cadre_a))


def test_one_mistyped_star_among_whole_ids_is_a_row_error_not_a_masked_file(village_cadre_a):
    households, members = many_households(3)
    members[1]["身份证号"] = members[1]["身份证号"][:6] + "********" + members[1]["身份证号"][-4:]
    result = validate_source(source=workbook_bytes(households, members), actor=village_cadre_a)
    assert result.errors and all(error.message != MASKED_EXPORT_MESSAGE for error in result.errors.sorted())
    assert {error.row for error in result.errors.sorted()} == {3}


def test_an_export_with_whole_id_numbers_re_imports_as_unchanged(registered_file, village_cadre_a):
    export = household_export(actor=village_cadre_a, purpose="迁移", area_code=VILLAGE_A, mask_id_numbers=False)
    result = validate_source(source=export.content, actor=village_cadre_a)
    assert result.is_valid, result.errors.as_dicts()
    assert (result.created_count, result.updated_count, result.unchanged_count) == (0, 0, 3)


# ---------------------------------------------------------------- the preview counts as the commit does

def test_the_preview_counts_new_updated_and_unchanged_as_the_commit_does(registered_file, village_cadre_a):
    same = validate_source(source=registered_file, actor=village_cadre_a)
    assert (same.created_count, same.updated_count, same.unchanged_count) == (0, 0, 3)
    assert same.preview_text() == "新建 0 户，更新 0 户，无变化 3 户"
    assert same.preview_summary()["households_unchanged"] == 3

    households, members = many_households(4)  # the same three, and a fourth one
    households[0]["住址"] = "新址 1 号"  # a household field
    members[3]["民族"] = "汉族"  # a member of the second household
    changed = workbook_bytes(households, members)
    preview = validate_source(source=changed, actor=village_cadre_a)
    assert (preview.created_count, preview.updated_count, preview.unchanged_count) == (1, 2, 1)
    assert preview.preview_text() == "新建 1 户，更新 2 户，无变化 1 户"
    outcome = import_workbook(source=changed, actor=village_cadre_a)
    assert {key: outcome.summary[key] for key in ("households_created", "households_updated", "households_unchanged")} == {
        "households_created": 1, "households_updated": 2, "households_unchanged": 1}
    assert Household.objects.count() == 4 and Member.objects.get(id_number=members[3]["身份证号"]).ethnicity


def test_a_member_added_to_a_registered_household_counts_as_an_update(registered_file, village_cadre_a):
    households, members = many_households(3)
    from households.tests.import_files import member_row

    members.append(member_row(900, head=0, name="长子", relation="子"))
    preview = validate_source(source=workbook_bytes(households, members), actor=village_cadre_a)
    assert preview.is_valid, preview.errors.as_dicts()
    assert (preview.created_count, preview.updated_count, preview.unchanged_count) == (0, 1, 2)


@pytest.mark.usefixtures("media_root", "eager_tasks")
def test_the_web_job_refuses_a_masked_export_in_one_sentence_and_previews_unchanged(
        registered_file, village_cadre_a, client_for, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from households.imports.jobs import import_job_create
    from households.models import ImportJob

    export = household_export(actor=village_cadre_a, purpose="核对台账")
    with django_capture_on_commit_callbacks(execute=True):
        masked = import_job_create(actor=village_cadre_a, uploaded_file=SimpleUploadedFile("导出.xlsx", export.content))
    masked.refresh_from_db()
    assert masked.status == ImportJob.Status.INVALID and masked.error_count == 1
    assert masked.errors[0]["message"] == MASKED_EXPORT_MESSAGE
    assert MASKED_EXPORT_MESSAGE in client_for(village_cadre_a).get(f"/households/imports/{masked.pk}/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        same = import_job_create(actor=village_cadre_a, uploaded_file=SimpleUploadedFile("台账.xlsx", registered_file))
    same.refresh_from_db()
    assert same.status == ImportJob.Status.VALID
    assert same.summary["households_unchanged"] == 3 and same.summary["households_updated"] == 0
    assert "新建 0 户，更新 0 户，无变化 3 户" in same.message
