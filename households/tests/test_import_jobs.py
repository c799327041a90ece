"""Import jobs through the pages and /api/v1/imports/: upload → Celery validation → errors and the marked
workbook → confirm → one-transaction commit; anonymous, no capability and other users' jobs refused."""
import io

import pytest
from openpyxl import load_workbook

from conftest import VILLAGE_A, VILLAGE_B
from households.imports.errorfile import ERROR_COLOR
from households.imports.jobs import import_job_confirm, import_job_create, run_validation
from households.models import Household, ImportJob, Member
from households.tests.factories import register_household
from households.tests.import_files import (
    household_with_spouse,
    many_households,
    person_id,
    workbook_bytes,
    xlsx_upload,
)
from villages.models import Area

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "eager_tasks")]


def good_file(count=3) -> bytes:
    return workbook_bytes(*many_households(count))


def bad_file() -> bytes:
    households, members = many_households(3)
    members[1]["身份证号"] = 530427196001010000.0  # stored by Excel as a number
    households[2]["村（组）区划代码"] = VILLAGE_B  # another village
    return workbook_bytes(households, members)


def test_validation_task_reports_progress_and_confirm_commits_in_one_go(village_cadre_a, api_for,
                                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = import_job_create(actor=village_cadre_a, uploaded_file=xlsx_upload(good_file()))
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALID and job.progress == 100 and job.error_count == 0
    assert job.household_rows == 3 and job.member_rows == 6 and job.summary["households_new"] == 3
    assert Household.objects.count() == 0  # nothing lands before the confirmation

    api = api_for(village_cadre_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/imports/{job.pk}/confirm/")
    assert response.status_code == 202 and response.json()["status"] == "committing"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMMITTED and job.summary["households_created"] == 3
    assert Household.objects.count() == 3 and Member.objects.count() == 6
    again = api.post(f"/api/v1/imports/{job.pk}/confirm/")
    assert again.status_code == 409 and Household.objects.count() == 3


def test_invalid_file_keeps_every_error_and_a_marked_workbook(village_cadre_a, django_capture_on_commit_callbacks, client_for):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(actor=village_cadre_a, uploaded_file=xlsx_upload(bad_file()))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID and job.error_count == 2
    assert [(e["sheet"], e["row"], e["column"]) for e in job.errors] == [("户信息", 4, "村（组）区划代码"), ("成员信息", 3, "身份证号")]

    response = client_for(village_cadre_a).get(f"/households/imports/{job.pk}/errors.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    members = workbook["成员信息"]
    bad_cell = members["D3"]
    assert bad_cell.fill.fgColor.rgb == ERROR_COLOR and "科学计数法" in bad_cell.comment.text
    note_column = members.max_column
    assert members.cell(row=1, column=note_column).value == "错误说明"
    assert members.cell(row=3, column=note_column).value.startswith("身份证号：身份证号码被保存为数字")
    assert members.cell(row=2, column=note_column).value is None
    households = workbook["户信息"]
    assert households["B4"].fill.fgColor.rgb == ERROR_COLOR and "不在您的导入范围内" in households["B4"].comment.text
    assert households.cell(row=1, column=households.max_column).value == "错误说明"

    with django_capture_on_commit_callbacks(execute=True):
        confirm = client_for(village_cadre_a).post(f"/households/imports/{job.pk}/confirm/")
    assert confirm.status_code == 302 and Household.objects.count() == 0


def test_commit_revalidates_against_data_changed_since_the_preview(village_cadre_a, django_capture_on_commit_callbacks):
    household, people = household_with_spouse(0)
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(actor=village_cadre_a, uploaded_file=xlsx_upload(workbook_bytes([household], people)))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALID
    register_household(actor=village_cadre_a, area=Area.objects.get(code=VILLAGE_A), sequence=7, head_name="后来者",
                       members=[{"name": "配偶0", "id_number": person_id(1, odd=False), "relation": "02"}])
    with django_capture_on_commit_callbacks(execute=True):
        import_job_confirm(actor=village_cadre_a, job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID and job.errors[0]["row"] == 3
    assert Household.objects.count() == 1  # only the one registered by hand


def test_api_upload_status_errors_and_confirm(api_for, village_cadre_a, django_capture_on_commit_callbacks):
    api = api_for(village_cadre_a)
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/v1/imports/", {"file": xlsx_upload(bad_file())}, format="multipart")
    assert created.status_code == 201 and created.json()["status"] == "uploaded"
    job_id = created.json()["id"]
    status = api.get(f"/api/v1/imports/{job_id}/").json()
    assert status["status"] == "invalid" and status["progress"] == 100 and status["error_count"] == 2
    assert status["error_file_url"] == f"/households/imports/{job_id}/errors.xlsx"
    errors = api.get(f"/api/v1/imports/{job_id}/errors/").json()
    assert errors["count"] == 2 and errors["errors"][1] == {
        "sheet": "成员信息", "row": 3, "column": "身份证号",
        "message": "身份证号码被保存为数字（科学计数法），后几位已丢失；请将该列设为文本格式后重新输入",
    }
    refused = api.post(f"/api/v1/imports/{job_id}/confirm/")
    assert refused.status_code == 409 and "校验未通过" in refused.json()["detail"]
    listing = api.get("/api/v1/imports/").json()
    assert [row["id"] for row in listing["results"]] == [job_id]
    wrong = api.post("/api/v1/imports/", {"file": xlsx_upload(b"a,b", name="x.csv")}, format="multipart")
    assert wrong.status_code == 400 and ImportJob.objects.count() == 1


def test_api_refuses_anonymous_no_capability_and_other_users_jobs(api_for, village_cadre_a, village_cadre_b, system_admin,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(actor=village_cadre_a, uploaded_file=xlsx_upload(good_file(1)))
    assert api_for().get("/api/v1/imports/").status_code == 401
    assert api_for().post("/api/v1/imports/", {"file": xlsx_upload(good_file(1))}, format="multipart").status_code == 401
    admin = api_for(system_admin)
    assert admin.get("/api/v1/imports/").status_code == 403
    assert admin.post("/api/v1/imports/", {"file": xlsx_upload(good_file(1))}, format="multipart").status_code == 403
    assert admin.get(f"/api/v1/imports/{job.pk}/").status_code == 403
    other = api_for(village_cadre_b)
    assert other.get(f"/api/v1/imports/{job.pk}/").status_code == 404
    assert other.get(f"/api/v1/imports/{job.pk}/errors/").status_code == 404
    assert other.post(f"/api/v1/imports/{job.pk}/confirm/").status_code == 404
    assert other.get("/api/v1/imports/").json()["count"] == 0
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALID and Household.objects.count() == 0


def test_schema_documents_the_import_endpoints(api_for, village_cadre_a):
    schema = api_for(village_cadre_a).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert {"/api/v1/imports/", "/api/v1/imports/{id}/", "/api/v1/imports/{id}/errors/",
            "/api/v1/imports/{id}/confirm/"} <= set(paths)
    assert "multipart/form-data" in paths["/api/v1/imports/"]["post"]["requestBody"]["content"]


def test_upload_and_job_pages(client_for, client, village_cadre_a, village_cadre_b, system_admin,
                              django_capture_on_commit_callbacks):
    assert client.get("/households/imports/").status_code == 302  # to the login page
    assert client_for(system_admin).get("/households/imports/").status_code == 403
    assert client_for(system_admin).get("/households/imports/template.xlsx").status_code == 403
    page = client_for(village_cadre_a)
    body = page.get("/households/imports/").content.decode()
    assert "上传并校验" in body and "/households/imports/template.xlsx" in body

    with django_capture_on_commit_callbacks(execute=True):
        response = page.post("/households/imports/", {"file": xlsx_upload(bad_file())})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == f"/households/imports/{job.pk}/"
    body = page.get(response["Location"]).content.decode()
    assert "校验未通过" in body and "错误明细（共 2 处" in body and "下载标注错误的文件" in body
    assert "<td>成员信息</td><td class=\"num\">3</td><td>身份证号</td>" in body
    assert 'id="job-progress-bar"' in body and "确认导入</button>" not in body
    status = page.get(f"/households/imports/{job.pk}/status/").json()
    assert status == {**status, "status": "invalid", "progress": 100, "error_count": 2, "is_running": False}
    assert client_for(village_cadre_b).get(f"/households/imports/{job.pk}/").status_code == 404
    assert client_for(village_cadre_b).get(f"/households/imports/{job.pk}/status/").status_code == 404
    assert client_for(village_cadre_b).get(f"/households/imports/{job.pk}/errors.xlsx").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        page.post("/households/imports/", {"file": xlsx_upload(good_file(2))})
    good = ImportJob.objects.exclude(pk=job.pk).get()
    body = page.get(f"/households/imports/{good.pk}/").content.decode()
    assert "确认导入</button>" in body and "新建 <strong>2</strong> 户" in body
    with django_capture_on_commit_callbacks(execute=True):
        page.post(f"/households/imports/{good.pk}/confirm/")
    body = page.get(f"/households/imports/{good.pk}/").content.decode()
    assert "导入结果" in body and Household.objects.count() == 2

    refused = page.post("/households/imports/", {"file": xlsx_upload(b"x", name="a.xls")})
    assert refused.status_code == 400 and "仅支持" not in refused.content.decode()
    assert ".xlsx 格式" in refused.content.decode()


def test_validation_is_idempotent(village_cadre_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(actor=village_cadre_a, uploaded_file=xlsx_upload(good_file(1)))
    job.refresh_from_db()
    finished = job.finished_at
    run_validation(job.pk)  # a retried task finds the job already validated and leaves it alone
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALID and job.finished_at == finished
