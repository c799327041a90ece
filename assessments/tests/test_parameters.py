"""Policy parameters: the seed fixture, lookup by area and year with inheritance, versioned edits, pages, API."""
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent
from assessments.policy.models import PolicyParameter
from assessments.policy.services import (
    ParameterMissing,
    parameter_value,
    parameter_values_for_area,
    parameter_values_for_villages,
    policy_parameter_create,
    policy_parameter_retire,
    policy_parameter_revise,
    policy_parameters_load,
)
from conftest import COUNTY, OTHER_TOWNSHIP, OTHER_VILLAGE, PROVINCE, TOWNSHIP, VILLAGE_A, VILLAGE_B
from povalleviation.errors import ApplicationError, PermissionDenied
from villages.models import Area
from villages.services import area_create

pytestmark = pytest.mark.django_db

LOADED_ROWS = 29  # fixture rows whose area is in the test tree (云南省, 新平县), 7 of them the workflow time limits
# and nomination window; 10 rows are for 河南 and 广东 areas


@pytest.fixture
def parameters(areas):
    """The demo county's parameters, loaded from fixtures/policy_parameters.json as the demo loader does."""
    result = policy_parameters_load()
    assert result.created == LOADED_ROWS
    return result


def area(code):
    return Area.objects.get(code=code)


def row(code, area_code, year_from):
    return PolicyParameter.objects.get(code=code, area__code=area_code, year_from=year_from, is_current=True)


# --- fixture loading --------------------------------------------------------------------------------------


def test_fixture_loads_seed_rows_with_citations_and_skips_absent_areas(parameters):
    assert len(parameters.skipped) == 10
    assert any("新乡市" in note and "不在区域树中" in note for note in parameters.skipped)
    assert any("2017" in note for note in parameters.notes)
    collective = row("village_collective_income_min", COUNTY, 2020)
    assert collective.value == 50000 and collective.comparator == "gte" and collective.is_from_seeds
    assert collective.source_citation.startswith("002_3c24fdc0372bba72.txt §一(二)")
    line_2018 = row("income_line", PROVINCE, 2018)
    assert line_2018.value == 2995 and not line_2018.is_from_seeds and line_2018.policy_ref == "P-LN-02"
    assert row("household_income_test", PROVINCE, 2016).comparator == "gt"
    assert not PolicyParameter.objects.filter(code="income_line", year_from=2017).exists()
    assert not PolicyParameter.objects.filter(code="fund_spend_ratio_min").exists()


def test_fixture_load_is_idempotent_and_keeps_local_edits(parameters, county_officer):
    again = policy_parameters_load()
    assert (again.created, again.unchanged, again.kept_local) == (0, LOADED_ROWS, 0)
    policy_parameter_revise(actor=county_officer, parameter=row("hospital_self_pay_ratio_max", COUNTY, 2018),
                            value="9", reason="县医保局确认")
    third = policy_parameters_load()
    assert (third.created, third.kept_local) == (0, 1)
    assert row("hospital_self_pay_ratio_max", COUNTY, 2018).value == 9
    assert PolicyParameter.objects.filter(is_current=True).count() == LOADED_ROWS


def test_load_command_reports_counts(areas, capsys):
    call_command("load_policy_parameters")
    output = capsys.readouterr().out
    assert f"新增 {LOADED_ROWS}" in output and "跳过：" in output and "上街区" in output
    call_command("load_policy_parameters")
    assert f"新增 0，已存在 {LOADED_ROWS}" in capsys.readouterr().out


# --- lookup -----------------------------------------------------------------------------------------------


def test_lookup_inherits_from_the_most_specific_ancestor_covering_the_year(parameters):
    line = parameter_value(code="income_line", area=area(VILLAGE_A), year=2018)
    assert (line.value, line.area.code, line.source_citation.startswith("⚠")) == (2995, PROVINCE, True)
    assert parameter_value(code="village_incidence_max", area=area(VILLAGE_A), year=2018).area.code == COUNTY
    assert parameter_value(code="village_incidence_max", area=area(VILLAGE_A), year=2020).value == 1
    # 2019: no 新平 row covers it, so the province's national default (⚠) applies.
    fallback = parameter_value(code="village_incidence_max", area=area(VILLAGE_A), year=2019)
    assert (fallback.value, fallback.area.code) == (3, PROVINCE)


def test_missing_parameter_is_an_error_never_a_default(parameters):
    with pytest.raises(ParameterMissing) as missing:
        parameter_value(code="income_line", area=area(VILLAGE_A), year=2017)
    assert "2017 年度“脱贫标准（农村居民人均纯收入）”未设置" in missing.value.message
    assert parameter_values_for_area(area=area(COUNTY), year=2021, codes=["fund_spend_ratio_min"]) == {
        "fund_spend_ratio_min": None
    }


def test_township_row_beats_county_row_for_its_villages_only(parameters):
    policy_parameter_create(actor=None, code="village_incidence_max", area=area(TOWNSHIP), year_from=2018, year_to=2018,
                            value="1.5", source_citation="老厂乡 测试", reason="乡里更严")
    assert parameter_value(code="village_incidence_max", area=area(VILLAGE_A), year=2018).value == Decimal("1.5")
    assert parameter_value(code="village_incidence_max", area=area(OTHER_VILLAGE), year=2018).value == 2


def test_bulk_lookup_for_all_villages_of_a_county_in_two_queries(parameters):
    policy_parameter_create(actor=None, code="income_line", area=area(OTHER_TOWNSHIP), year_from=2018, year_to=2018,
                            value="3100", source_citation="水塘镇 测试", reason="乡里自定标准")
    for index in range(5):
        area_create(actor=None, code=f"5304271042{10 + index}", name=f"测试村{index}", level="village")
    county = area(COUNTY)
    with CaptureQueriesContext(connection) as queries:
        resolved = parameter_values_for_villages(area=county, year=2018, codes=["income_line", "village_incidence_max"])
    assert len(queries) == 2
    assert len(resolved) == 8
    assert resolved[area(VILLAGE_A).pk]["income_line"].value == 2995
    assert resolved[area(OTHER_VILLAGE).pk]["income_line"].value == 3100
    assert resolved[area("530427104214").pk]["village_incidence_max"].area.code == COUNTY


# --- versioned writes -------------------------------------------------------------------------------------


def test_revise_writes_a_new_version_and_keeps_the_old_one(parameters, county_officer):
    old = row("village_incidence_max", COUNTY, 2018)
    new = policy_parameter_revise(actor=county_officer, parameter=old, value="1.8", reason="县扶贫办复核后调整")
    old.refresh_from_db()
    assert (new.version, new.series, new.is_current, new.value) == (2, old.series, True, Decimal("1.8"))
    assert (old.is_current, old.superseded_by, old.supersede_reason) == (False, county_officer, "县扶贫办复核后调整")
    assert new.created_by == county_officer and new.change_reason == "县扶贫办复核后调整"
    assert parameter_value(code="village_incidence_max", area=area(VILLAGE_B), year=2018).pk == new.pk
    assert AuditEvent.objects.filter(action="policy_parameter.revise", actor=county_officer).count() == 1


@pytest.mark.parametrize("changes, message", [
    ({"value": "1.8", "reason": " "}, "请填写设置或修改的原因"),
    ({"reason": "没改"}, "没有修改任何内容"),
    ({"year_to": 2020, "reason": "延长"}, "年度不能重叠"),
    ({"value": "", "reason": "清空"}, "请填写数值"),
])
def test_refused_revisions_change_nothing(parameters, county_officer, changes, message):
    before = list(PolicyParameter.objects.order_by("pk").values())
    with pytest.raises(ApplicationError) as refused:
        policy_parameter_revise(actor=county_officer, parameter=row("village_incidence_max", COUNTY, 2018), **changes)
    assert message in refused.value.message
    assert list(PolicyParameter.objects.order_by("pk").values()) == before


def test_only_policy_editors_in_the_area_may_write(parameters, village_cadre_a, county_officer, township_officer):
    before = PolicyParameter.objects.count()
    with pytest.raises(PermissionDenied):
        policy_parameter_revise(actor=village_cadre_a, parameter=row("village_incidence_max", COUNTY, 2018),
                                value="5", reason="x")
    with pytest.raises(PermissionDenied):  # the province's row is above the county officer
        policy_parameter_revise(actor=county_officer, parameter=row("income_line", PROVINCE, 2018), value="3000", reason="x")
    with pytest.raises(PermissionDenied):
        policy_parameter_create(actor=township_officer, code="publicity_days_min", area=area(TOWNSHIP), year_from=2018,
                                value="5", source_citation="x", reason="x")
    assert PolicyParameter.objects.count() == before
    assert row("village_incidence_max", COUNTY, 2018).version == 1


def test_retire_falls_back_to_the_inherited_row(parameters, county_officer):
    policy_parameter_retire(actor=county_officer, parameter=row("village_incidence_max", COUNTY, 2018), reason="以省为准")
    applied = parameter_value(code="village_incidence_max", area=area(VILLAGE_A), year=2018)
    assert (applied.value, applied.area.code) == (3, PROVINCE)


# --- pages ------------------------------------------------------------------------------------------------


def test_pages_need_login_and_the_capability(client, client_for, parameters, village_cadre_a, system_admin):
    pk = row("village_incidence_max", COUNTY, 2018).pk
    urls = ["/policy/", f"/policy/parameters/{pk}/", f"/policy/parameters/{pk}/edit/", "/policy/parameters/new/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    for user in (village_cadre_a, system_admin):
        for url in urls:
            assert client_for(user).get(url).status_code == 403, url
        response = client_for(user).post(f"/policy/parameters/{pk}/edit/", {"value": "9", "reason": "x"})
        assert response.status_code == 403
    assert row("village_incidence_max", COUNTY, 2018).version == 1


def test_list_shows_what_applies_and_where_it_comes_from(client_for, parameters, county_officer):
    page = client_for(county_officer).get(f"/policy/?area={VILLAGE_A}&year=2018").content.decode()
    assert "2995 元/人·年" in page and "继承自 云南省" in page and "≤ 2 %" in page and "继承自 新平彝族傣族自治县" in page
    assert "⚠ 待确认" in page and "002_3c24fdc0372bba72.txt §一(二)" in page
    missing = client_for(county_officer).get(f"/policy/?area={COUNTY}&year=2017").content.decode()
    assert "未设置：2017 年新平彝族傣族自治县及上级区域都没有适用的参数" in missing


def test_other_areas_are_404(client_for, parameters, township_officer, county_officer):
    shuitang = policy_parameter_create(actor=None, code="publicity_days_min", area=area(OTHER_TOWNSHIP), year_from=2019,
                                       value="10", source_citation="水塘镇 测试", reason="测试")
    officer = client_for(township_officer)
    assert officer.get(f"/policy/parameters/{shuitang.pk}/").status_code == 404
    assert officer.get(f"/policy/?area={OTHER_TOWNSHIP}").status_code == 404
    assert client_for(county_officer).get("/policy/?area=530426000000").status_code == 404
    # The province's rows are shown to the county read-only; setting one there is not offered.
    assert client_for(county_officer).get(f"/policy/?area={PROVINCE}").status_code == 200
    assert client_for(county_officer).get(f"/policy/parameters/new/?area={PROVINCE}").status_code == 404
    province_row = row("income_line", PROVINCE, 2018)
    assert client_for(county_officer).get(f"/policy/parameters/{province_row.pk}/edit/").status_code == 404
    response = client_for(county_officer).post(f"/policy/parameters/{province_row.pk}/edit/", {
        "year_from": 2018, "year_to": 2018, "value": "3000", "source_citation": "x", "reason": "x"})
    assert response.status_code == 404 and row("income_line", PROVINCE, 2018).version == 1


def test_county_officer_edits_through_the_page_and_sees_history(client_for, parameters, county_officer):
    old = row("village_incidence_max", COUNTY, 2018)
    officer = client_for(county_officer)
    form = officer.get(f"/policy/parameters/{old.pk}/edit/").content.decode()
    assert 'value="002_3c24fdc0372bba72.txt §一(二)（“贫困发生率控制在2%以内”，以行政村为单位）"' in form
    data = {"year_from": 2018, "year_to": 2018, "value": "1.8", "unit": "%", "comparator": "lte",
            "source_citation": old.source_citation, "is_from_seeds": "on", "policy_ref": "P-VL-01", "note": "",
            "reason": "复核后从严"}
    refused = officer.post(f"/policy/parameters/{old.pk}/edit/", {**data, "reason": ""})
    assert refused.status_code == 400 and "1.8" in refused.content.decode()
    assert row("village_incidence_max", COUNTY, 2018).version == 1
    response = officer.post(f"/policy/parameters/{old.pk}/edit/", data)
    new = row("village_incidence_max", COUNTY, 2018)
    assert response.status_code == 302 and response["Location"] == f"/policy/parameters/{new.pk}/"
    history = officer.get(response["Location"]).content.decode()
    assert "修改历史" in history and "复核后从严" in history and "≤ 1.8 %" in history and "≤ 2 %" in history
    assert "已停用" in history and "county" in history


def test_override_at_a_township_through_the_page(client_for, parameters, county_officer):
    response = client_for(county_officer).post(f"/policy/parameters/new/?area={TOWNSHIP}", {
        "area": TOWNSHIP, "code": "income_line", "year_from": 2018, "year_to": 2018, "value": "3100",
        "unit": "元/人·年", "comparator": "", "source_citation": "老厂乡人民政府 测试文件", "reason": "乡定标准高于国家线",
    })
    assert response.status_code == 302
    assert parameter_value(code="income_line", area=area(VILLAGE_A), year=2018).value == 3100
    page = client_for(county_officer).get(f"/policy/?area={VILLAGE_A}&year=2018").content.decode()
    assert "继承自 老厂乡" in page and "3100 元/人·年" in page


def test_list_page_query_count_does_not_grow(client_for, parameters, county_officer):
    officer = client_for(county_officer)
    officer.get(f"/policy/?area={COUNTY}&year=2018")
    with CaptureQueriesContext(connection) as few:
        assert officer.get(f"/policy/?area={COUNTY}&year=2018").status_code == 200
    for year in range(2001, 2011):
        policy_parameter_create(actor=None, code="publicity_days_min", area=area(VILLAGE_B), year_from=year, year_to=year,
                                value="5", source_citation="测试", reason="测试")
    with CaptureQueriesContext(connection) as more:
        assert officer.get(f"/policy/?area={COUNTY}&year=2018").status_code == 200
    assert len(more) == len(few) <= 12


def test_navigation_entry_follows_the_capability(client_for, parameters, county_officer, village_cadre_a):
    assert 'href="/policy/"' in client_for(county_officer).get("/").content.decode()
    assert 'href="/policy/"' not in client_for(village_cadre_a).get("/").content.decode()


# --- API --------------------------------------------------------------------------------------------------


def test_api_is_scoped_and_writes_versions(api_for, parameters, county_officer, township_officer, village_cadre_a):
    assert api_for().get("/api/v1/policy-parameters/").status_code == 401
    assert api_for(village_cadre_a).get("/api/v1/policy-parameters/").status_code == 403
    body = api_for(county_officer).get("/api/v1/policy-parameters/?code=village_incidence_max").json()
    assert [(r["area_code"], r["year_from"], r["value"]) for r in body["results"]] == [
        (COUNTY, 2018, "2.0000"), (COUNTY, 2020, "1.0000")]
    province_row = row("income_line", PROVINCE, 2018)
    assert api_for(county_officer).get(f"/api/v1/policy-parameters/{province_row.pk}/").status_code == 404
    assert api_for(township_officer).get("/api/v1/policy-parameters/").json()["count"] == 0
    refused = api_for(township_officer).post("/api/v1/policy-parameters/", {
        "area": TOWNSHIP, "code": "publicity_days_min", "year_from": 2019, "value": "5", "source_citation": "x",
        "reason": "x"}, format="json")
    assert refused.status_code == 403
    created = api_for(county_officer).post("/api/v1/policy-parameters/", {
        "area": TOWNSHIP, "code": "publicity_days_min", "year_from": 2019, "value": "10", "source_citation": "老厂乡 测试",
        "reason": "乡里延长公示"}, format="json")
    assert created.status_code == 201 and created.json()["display"] == "≥ 10 天"
    pk = row("village_incidence_max", COUNTY, 2018).pk
    revised = api_for(county_officer).patch(f"/api/v1/policy-parameters/{pk}/", {"value": "1.5", "reason": "调整", "version": 1},
                                            format="json")
    assert revised.status_code == 200 and revised.json()["version"] == 2
    history = api_for(county_officer).get(f"/api/v1/policy-parameters/{revised.json()['id']}/history/").json()
    assert [v["version"] for v in history] == [2, 1]
    no_reason = api_for(county_officer).patch(f"/api/v1/policy-parameters/{revised.json()['id']}/", {"value": "1", "version": 2},
                                              format="json")
    assert no_reason.status_code == 400 and row("village_incidence_max", COUNTY, 2018).value == Decimal("1.5")


def test_retire_from_the_page_is_scoped(client, client_for, parameters, county_officer, village_cadre_a):
    county_row = row("village_incidence_max", COUNTY, 2018)
    province_row = row("income_line", PROVINCE, 2018)
    url = f"/policy/parameters/{county_row.pk}/retire/"
    assert client.post(url, {"reason": "x"})["Location"].startswith("/accounts/login/")
    assert client_for(village_cadre_a).post(url, {"reason": "x"}).status_code == 403
    officer = client_for(county_officer)
    assert officer.post(f"/policy/parameters/{province_row.pk}/retire/", {"reason": "x"}).status_code == 404
    assert officer.post(url, {"reason": ""}).status_code == 302
    assert row("village_incidence_max", COUNTY, 2018).pk == county_row.pk  # refused: no reason, nothing changed
    assert officer.post(url, {"reason": "以省为准"}).status_code == 302
    assert not PolicyParameter.objects.filter(pk=county_row.pk, is_current=True).exists()
    assert PROVINCE == parameter_value(code="village_incidence_max", area=area(VILLAGE_A), year=2018).area.code


def test_api_list_query_count_does_not_grow(api_for, parameters, county_officer):
    officer = api_for(county_officer)
    officer.get("/api/v1/policy-parameters/")
    with CaptureQueriesContext(connection) as few:
        assert officer.get("/api/v1/policy-parameters/").json()["count"] == 8
    for year in range(2001, 2011):
        policy_parameter_create(actor=None, code="publicity_days_min", area=area(VILLAGE_B), year_from=year, year_to=year,
                                value="5", source_citation="测试", reason="测试")
    with CaptureQueriesContext(connection) as more:
        assert officer.get("/api/v1/policy-parameters/").json()["count"] == 18
    assert len(more) == len(few)
