"""The auditor's page and API: filters by user, action, area, dates and outcome; bad values are Chinese form
errors, never a 500; the export holds what the page shows, escaped against formulas, and is itself audited."""
import csv
import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.filters import AuditEventFilter
from accounts.models import AuditEvent
from accounts.services import audit_record
from conftest import OTHER_VILLAGE, VILLAGE_A, VILLAGE_B


@pytest.fixture
def events(village_cadre_a, village_cadre_b, other_township_officer):
    """Sign-ins, a failure and a refusal in three places, plus a summary that looks like a formula."""
    made = {
        "a_update": audit_record(actor=village_cadre_a, action="household.update", summary="=HYPERLINK(\"http://x\")"),
        "a_denied": audit_record(actor=village_cadre_a, action="access.denied", outcome="denied", summary="拒绝访问"),
        "b_update": audit_record(actor=village_cadre_b, action="household.update", summary="勐炳村修改"),
        "b_failed": audit_record(actor=None, action="user.login_failed", target=village_cadre_b, username="cadre_b",
                                 outcome="failure", summary="登录失败"),
        "other": audit_record(actor=other_township_officer, action="household.update", summary="水塘镇修改"),
    }
    return made


def _ids(response):
    return {event.pk for event in response.context["object_list"]}


def test_filters_by_user_action_area_outcome_and_dates(client_for, auditor, events):
    client = client_for(auditor)
    ours = {events[name].pk for name in ("a_update", "a_denied", "b_update", "b_failed", "other")}
    assert ours <= _ids(client.get("/accounts/audit/"))
    assert _ids(client.get("/accounts/audit/", {"user": "CADRE_B"})) == {events["b_update"].pk, events["b_failed"].pk}
    assert _ids(client.get("/accounts/audit/", {"action": "household.update", "area": VILLAGE_A})) == {events["a_update"].pk}
    assert _ids(client.get("/accounts/audit/", {"action": "user.*"})) >= {events["b_failed"].pk}
    assert events["a_update"].pk not in _ids(client.get("/accounts/audit/", {"action": "user.*"}))
    assert _ids(client.get("/accounts/audit/", {"outcome": "denied"})) == {events["a_denied"].pk}
    assert _ids(client.get("/accounts/audit/", {"outcome": "failure", "area": VILLAGE_B})) == {events["b_failed"].pk}
    in_other_township = _ids(client.get("/accounts/audit/", {"area": OTHER_VILLAGE[:9]}))
    assert events["other"].pk in in_other_township
    assert all(e.area_code.startswith(OTHER_VILLAGE[:9]) for e in AuditEvent.objects.filter(pk__in=in_other_township))
    today = timezone.localdate()
    assert ours <= _ids(client.get("/accounts/audit/", {"date_from": today.isoformat(), "date_to": today.isoformat()}))
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    assert _ids(client.get("/accounts/audit/", {"date_to": yesterday})) == set()


def test_page_shows_role_outcome_and_address(client_for, auditor, events):
    body = client_for(auditor).get("/accounts/audit/", {"user": "cadre_b"}).content.decode()
    assert "村级信息员" in body and "失败" in body and "登录失败" in body
    assert "<th>角色</th>" in body and "<th>结果</th>" in body and "<th>来源地址</th>" in body


@pytest.mark.parametrize("params, message", [
    ({"date_from": "2026-02-30"}, "请输入有效的日期"),
    ({"date_to": "昨天"}, "请输入有效的日期"),
    ({"date_from": "0001-01-01"}, "日期超出范围"),
    ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "截止日期不能早于起始日期"),
    ({"outcome": "maybe"}, "请选择有效的结果"),
    ({"area": "53042x"}, "区域代码应为"),
    ({"action": "DROP TABLE"}, "操作代码只能包含"),
])
def test_bad_filter_values_are_chinese_form_errors_not_500(client_for, auditor, events, params, message):
    response = client_for(auditor).get("/accounts/audit/", params)
    assert response.status_code == 400
    body = response.content.decode()
    assert "筛选条件有误" in body and message in body
    assert list(response.context["object_list"]) == []


@pytest.mark.parametrize("params", [{"q": "a\x00b"}, {"user": "cadre\x00"}, {"date_from": "2026\x00-01-01"}])
def test_nul_bytes_are_refused_in_chinese(client_for, auditor, events, params):
    response = client_for(auditor).get("/accounts/audit/", params)
    assert response.status_code == 400 and "空字符" in response.content.decode()
    # The form says so itself too, whatever answers first.
    filters = AuditEventFilter(params, queryset=AuditEvent.objects.all())
    assert not filters.is_valid()
    assert any("空字符" in error or "有效的日期" in error for errors in filters.errors.values() for error in errors)


def test_bad_page_numbers_show_a_page(client_for, auditor, events):
    client = client_for(auditor)
    assert client.get("/accounts/audit/", {"page": "abc"}).status_code == 200
    assert client.get("/accounts/audit/", {"page": "99999"}).status_code == 200


def test_export_xlsx_holds_what_the_page_shows_escaped_and_is_audited(client_for, auditor, events):
    response = client_for(auditor).get("/accounts/audit/", {"action": "household.update", "area": VILLAGE_A,
                                                            "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("导出人：auditor")
    assert rows[1][:6] == ("时间", "用户名", "角色", "操作", "操作代码", "结果")
    assert len(rows) == 3
    summary = rows[2][6]
    assert summary == "'=HYPERLINK(\"http://x\")"  # text, never a live formula
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    export = AuditEvent.objects.get(action="audit.export")
    assert (export.actor, export.outcome, export.changes["count"], export.changes["format"]) == (auditor, "success", 1, "xlsx")
    assert export.changes["filters"] == {"action": "household.update", "area": VILLAGE_A}
    assert export.area_code == "530427000000"


def test_export_csv_escapes_formula_cells(client_for, auditor, events):
    response = client_for(auditor).get("/accounts/audit/", {"user": "cadre_a", "export": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    summaries = {row[6] for row in rows[2:]}
    assert "'=HYPERLINK(\"http://x\")" in summaries and "拒绝访问" in summaries
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert AuditEvent.objects.filter(action="audit.export", actor__username="auditor").count() == 1


def test_export_refused_with_bad_filters_and_without_audit_capability(client_for, auditor, village_cadre_a, events):
    assert client_for(auditor).get("/accounts/audit/", {"date_from": "x", "export": "xlsx"}).status_code == 400
    assert client_for(village_cadre_a).get("/accounts/audit/", {"export": "xlsx"}).status_code == 403
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_api_has_the_same_filters(api_for, auditor, township_auditor, events):
    api = api_for(auditor)
    rows = api.get("/api/v1/audit-events/", {"user": "cadre_b", "outcome": "failure"}).json()["results"]
    assert [row["id"] for row in rows] == [events["b_failed"].pk]
    assert (rows[0]["username"], rows[0]["outcome"], rows[0]["area_code"]) == ("cadre_b", "failure", VILLAGE_B)
    rows = api.get("/api/v1/audit-events/", {"action": "household.update", "area": VILLAGE_A}).json()["results"]
    assert [row["id"] for row in rows] == [events["a_update"].pk]
    assert rows[0]["role"] == "village_cadre"
    bad = api.get("/api/v1/audit-events/", {"date_from": "2026-02-30"})
    assert bad.status_code == 400 and "请输入有效的日期" in str(bad.json()["errors"])
    # Scope still applies: the township auditor sees none of 老厂乡's events.
    rows = api_for(township_auditor).get("/api/v1/audit-events/", {"action": "household.update"}).json()["results"]
    assert [row["id"] for row in rows] == [events["other"].pk]
