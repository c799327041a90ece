"""Annual exit plans: the seed tables load with their printed totals, plan versus actual counts exits from the
status history, approval locks a plan, revisions are versions, child sums warn; pages and API are scoped."""
import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent, User
from accounts.services import post_assign, user_create
from assessments.plans.models import ExitPlan, ExitPlanBase, ExitPlanStatus
from assessments.plans.selectors import plan_sum_warnings, plan_vs_actual
from assessments.plans.services import exit_plan_approve, exit_plan_create, exit_plan_revise, exit_plan_update
from conftest import CITY, COUNTY, OTHER_TOWNSHIP, OTHER_VILLAGE, PASSWORD, TOWNSHIP, VILLAGE_A, VILLAGE_B
from households.services import household_set_status
from households.tests.factories import member_data, register_household
from povalleviation.errors import ApplicationError, Conflict, PermissionDenied
from povalleviation.roles import Role
from villages.models import Area
from villages.services import area_update

pytestmark = pytest.mark.django_db

XINXIANG = "410700000000"
XINXIANG_COUNTIES = {  # 000_6ea9a56b91abd59f.txt §附件2: base, 2016, 2017, 2018, 2019 (万人)
    "410727000000": ("封丘县", "5.85", "1.64", "2.08", "1.38", "0.75"),
    "410725000000": ("原阳县", "2.69", "0.6", "0.81", "0.68", "0.6"),
    "410782000000": ("辉县市", "2.52", "0.36", "0.75", "0.71", "0.7"),
    "410781000000": ("卫辉市", "1.7", "0.32", "0.46", "0.46", "0.46"),
    "410726000000": ("延津县", "1.76", "0.37", "0.46", "0.47", "0.46"),
    "410724000000": ("获嘉县", "1.32", "0.34", "0.33", "0.33", "0.32"),
    "410721000000": ("新乡县", "0.56", "0.16", "0.16", "0.16", "0.08"),
    "410773000000": ("平原示范区", "0.27", "0.06", "0.08", "0.08", "0.05"),
    "410704000000": ("凤泉区", "0.16", "0.04", "0.04", "0.04", "0.04"),
}
JIAOZUO = "410800000000"


def make_office(username, code):
    user = user_create(actor=None, username=username, password=PASSWORD, full_name=username)
    post_assign(actor=None, user=user, area=Area.objects.get(code=code), role=Role.LEADING_GROUP_OFFICE)
    return user


@pytest.fixture
def city_office(areas):
    return make_office("city_office", CITY)


@pytest.fixture
def township_office(areas):
    """Plan editor posted at 水塘镇: outside the county's other areas."""
    return make_office("shuitang_office", OTHER_TOWNSHIP)


def approved(code, year, **figures):
    plan = exit_plan_create(actor=None, area=Area.objects.get(code=code), year=year, **figures)
    return exit_plan_approve(actor=None, plan=plan)


@pytest.fixture
def county_plan(areas):
    return approved(COUNTY, 2018, households=5, persons=10, villages=2, townships=1, source="县脱贫攻坚领导小组 2018 年计划")


@pytest.fixture
def township_plan(areas):
    return approved(TOWNSHIP, 2018, households=3, persons=6, villages=1)


# ---- the seed tables -------------------------------------------------------------------------------------------

def test_loading_seed_tables_reproduces_their_totals():
    call_command("load_exit_plans")
    plans = {(p.area.code, p.year): p for p in ExitPlan.objects.select_related("area")}
    city = [plans[(XINXIANG, year)].persons_wan for year in (2016, 2017, 2018, 2019)]
    assert city == [Decimal("3.89"), Decimal("5.17"), Decimal("4.31"), Decimal("3.46")]
    assert [plans[(XINXIANG, y)].persons for y in (2016, 2017, 2018, 2019)] == [38900, 51700, 43100, 34600]
    bases = {b.area.code: b for b in ExitPlanBase.objects.select_related("area")}
    assert bases[XINXIANG].persons_wan == Decimal("16.83") and bases[XINXIANG].persons == 168300
    assert bases[XINXIANG].base_year == 2015 and bases[XINXIANG].end_year == 2020
    for code, (name, base, *years) in XINXIANG_COUNTIES.items():
        area = Area.objects.get(code=code)
        assert area.name == name and area.parent.code == XINXIANG and not area.is_demo
        row = [plans[(code, y)].persons_wan for y in (2016, 2017, 2018, 2019)]
        assert row == [Decimal(v) for v in years]
        assert bases[code].persons_wan == Decimal(base) == sum(row)  # each row's years sum to its base
    for index, year in enumerate((2016, 2017, 2018, 2019)):  # the nine counties sum to the city row
        assert sum(plans[(code, year)].persons_wan for code in XINXIANG_COUNTIES) == city[index]
    assert sum(bases[code].persons_wan for code in XINXIANG_COUNTIES) == Decimal("16.83") == sum(city)

    jiaozuo = [plans[(JIAOZUO, y)] for y in (2018, 2019, 2020)]
    assert [p.persons for p in jiaozuo] == [12400, 17656, 6196] and sum(p.persons for p in jiaozuo) == 36252
    assert [p.villages for p in jiaozuo] == [52, 72, 0] and sum(p.villages for p in jiaozuo) == 124
    assert all(p.persons_wan is None for p in jiaozuo)
    assert (bases[JIAOZUO].persons, bases[JIAOZUO].villages) == (36252, 124)
    assert bases[JIAOZUO].prior_exited_villages + bases[JIAOZUO].villages == 190
    assert bases[JIAOZUO].prior_exited_persons == 76628

    xinping = plans[(COUNTY, 2018)]
    assert (xinping.households, xinping.persons, xinping.villages) == (630, 2026, None)
    base = bases[COUNTY]
    assert (base.households, base.persons) == (630, 2026)
    assert base.prior_exited_households + base.households == 3183 and base.prior_exited_persons + base.persons == 11287
    assert (base.prior_exited_villages, base.prior_exited_townships) == (32, 3)

    assert {p.status for p in plans.values()} == {ExitPlanStatus.APPROVED}
    assert all(p.source and p.approved_by is None and p.approved_at for p in plans.values())
    assert Area.objects.get(code="410000000000").name == "河南省"

    counts = (ExitPlan.objects.count(), ExitPlanBase.objects.count(), Area.objects.count(), AuditEvent.objects.count())
    call_command("load_exit_plans")
    assert counts == (ExitPlan.objects.count(), ExitPlanBase.objects.count(), Area.objects.count(), AuditEvent.objects.count())


def test_seed_plan_versus_actual_for_xinxiang(db):
    call_command("load_exit_plans")
    office = make_office("xinxiang_office", XINXIANG)
    data = plan_vs_actual(user=office, area_code=XINXIANG, year=2017)
    assert data["own"]["planned"]["persons"] == 51700 and data["children_planned"]["persons"] == 51700
    assert len(data["rows"]) == 9 and data["warnings"] == []
    assert [item["planned_cumulative"]["persons"] for item in data["series"]] == [38900, 90600, 133700, 168300, 168300]
    later = plan_vs_actual(user=office, area_code=XINXIANG, year=2020)  # no 2020 column: plan 0, not missing (I-3)
    assert later["own"]["plan"] is None and later["own"]["planned"]["persons"] == 0
    with pytest.raises(Http404):  # 焦作 is outside the 新乡 office's posts
        plan_vs_actual(user=office, area_code=JIAOZUO, year=2018)


def test_a_table_with_a_bad_cell_loads_nothing(db, tmp_path):
    table = tmp_path / "bad.csv"
    table.write_text("区划代码,区域,指标,单位,基数年份,规划期末,基数,此前已退出,基数口径,依据,2018\n"
                     "410800000000,焦作市,贫困人口,人,2017,2020,36252,,基数,附表,12400\n"
                     "410800000000,焦作市,贫困村,个,2017,2020,124,,基数,附表,五十二\n", encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("load_exit_plans", str(table))
    assert "bad.csv 第 3 行：“五十二”不是数字" in str(refused.value)
    assert not ExitPlan.objects.exists() and not Area.objects.filter(code=JIAOZUO).exists()


# ---- plan versus actual from the status history ----------------------------------------------------------------

def exit_household(household, *dates, returned=None):
    """Walk a household to EXITED on each date (returning in between when several dates are given)."""
    household_set_status(actor=None, household=household, to_status="helped", reason="结对帮扶", effective_date=dates[0])
    for index, day in enumerate(dates):
        household_set_status(actor=None, household=household, to_status="exit_pending", reason="提名", effective_date=day)
        household_set_status(actor=None, household=household, to_status="exited", reason="公告退出", effective_date=day)
        back = returned if index == len(dates) - 1 else dates[index + 1]
        if back:
            household_set_status(actor=None, household=household, to_status="returned", reason="因病返贫", effective_date=back)


@pytest.fixture
def exits(areas, village_cadre_a):
    village_a, village_b, other = (Area.objects.get(code=c) for c in (VILLAGE_A, VILLAGE_B, OTHER_VILLAGE))

    def household(area, sequence, size):
        members = [member_data(sequence * 10 + i, name=f"成员{i}", relation="02" if i == 0 else "20",
                               birth="19800101" if i == 0 else "20050101") for i in range(size)]
        return register_household(actor=None, area=area, sequence=sequence, members=members)

    exit_household(household(village_a, 1, 2), datetime.date(2018, 3, 1))
    exit_household(household(village_a, 2, 1), datetime.date(2017, 12, 31))
    exit_household(household(village_b, 3, 3), datetime.date(2018, 12, 31))
    exit_household(household(village_b, 4, 1), datetime.date(2019, 1, 1))
    exit_household(household(other, 5, 1), datetime.date(2018, 6, 1))
    exit_household(household(village_a, 6, 4), datetime.date(2018, 2, 1), datetime.date(2018, 10, 1))  # exits twice
    exit_household(household(village_a, 7, 2), datetime.date(2018, 4, 1), returned=datetime.date(2018, 9, 1))
    pending = household(village_a, 8, 5)
    household_set_status(actor=None, household=pending, to_status="helped", reason="帮扶", effective_date=datetime.date(2018, 1, 1))
    household_set_status(actor=None, household=pending, to_status="exit_pending", reason="提名",
                         effective_date=datetime.date(2018, 11, 1))
    area_update(actor=None, area=village_a, is_poor_village=True, actual_exit_date=datetime.date(2018, 11, 30))
    area_update(actor=None, area=village_b, is_poor_village=True, actual_exit_date=datetime.date(2019, 11, 30))
    area_update(actor=None, area=Area.objects.get(code=TOWNSHIP), is_poor_township=True,
                actual_exit_date=datetime.date(2018, 12, 20))


def test_plan_versus_actual_counts_exits_by_effective_date(exits, county_plan, township_plan, leading_group_staff):
    data = plan_vs_actual(user=leading_group_staff, area_code=COUNTY, year=2018)
    own = data["own"]
    # 1 (2 persons), 3 (3), 5 (1), 6 once though it exited twice (4), 7 though it has since returned (2).
    assert own["actual"] == {"households": 5, "persons": 12, "villages": 1, "townships": 1, "counties": 0}
    assert own["planned"] == {"households": 5, "persons": 10, "villages": 2, "townships": 1, "counties": None}
    assert own["completion"]["households"] == Decimal("100.0") and own["completion"]["persons"] == Decimal("120.0")
    assert own["completion"]["villages"] == Decimal("50.0") and own["completion"]["counties"] is None
    rows = {row["area"].code: row for row in data["rows"]}
    assert rows[TOWNSHIP]["actual"]["households"] == 4 and rows[TOWNSHIP]["actual"]["persons"] == 11
    assert rows[TOWNSHIP]["planned"]["households"] == 3 and rows[TOWNSHIP]["completion"]["households"] == Decimal("133.3")
    assert rows[OTHER_TOWNSHIP]["actual"]["households"] == 1 and rows[OTHER_TOWNSHIP]["planned"] is None
    township = {row["area"].code: row for row in plan_vs_actual(user=leading_group_staff, area_code=TOWNSHIP, year=2018)["rows"]}
    assert township[VILLAGE_A]["actual"]["households"] == 3 and township[VILLAGE_B]["actual"]["households"] == 1
    assert township[VILLAGE_A]["actual"]["villages"] == 1 and township[VILLAGE_B]["actual"]["villages"] == 0
    mid_year = plan_vs_actual(user=leading_group_staff, area_code=COUNTY, year=2018, as_of=datetime.date(2018, 6, 30))
    assert mid_year["own"]["actual"]["households"] == 4 and mid_year["own"]["actual"]["villages"] == 0
    previous = plan_vs_actual(user=leading_group_staff, area_code=COUNTY, year=2017)["own"]
    assert previous["actual"]["households"] == 1 and previous["planned"] is None
    assert plan_vs_actual(user=leading_group_staff, area_code=COUNTY, year=2019)["own"]["actual"]["households"] == 1


def test_plan_versus_actual_page_and_api(exits, county_plan, township_plan, client_for, api_for, county_officer):
    page = client_for(county_officer).get(f"/plans/{COUNTY}/2018/")
    text = page.content.decode()
    assert page.status_code == 200 and "新平彝族傣族自治县 2018年 计划与实际" in text
    assert "老厂乡" in text and "水塘镇" in text and "133.3%" in text and "120.0%" in text
    body = api_for(county_officer).get(f"/api/v1/plan-vs-actual/?area={COUNTY}&year=2018").json()
    assert body["own"]["actual"]["households"] == 5 and body["own"]["planned"]["persons"] == 10
    assert body["own"]["completion"]["persons"] == 120.0
    assert {c["area"]: c["actual"]["households"] for c in body["children"]} == {TOWNSHIP: 4, OTHER_TOWNSHIP: 1}
    assert api_for(county_officer).get("/api/v1/plan-vs-actual/?year=2018").status_code == 400


def test_plan_versus_actual_query_count_does_not_grow(areas, leading_group_staff, client_for, api_for):
    approved(COUNTY, 2018, households=1)
    county = Area.objects.get(code=COUNTY)
    office = client_for(leading_group_staff)
    with CaptureQueriesContext(connection) as few:
        assert office.get(f"/plans/{COUNTY}/2018/").status_code == 200
    with CaptureQueriesContext(connection) as few_api:
        assert api_for(User.objects.get(pk=leading_group_staff.pk)).get(f"/api/v1/plan-vs-actual/?area={COUNTY}&year=2018").status_code == 200
    for index, sequence in enumerate(range(30, 36)):
        township = Area.objects.create(code=f"530427{300 + index}000", name=f"新乡镇{index}", level="township", parent=county)
        village = Area.objects.create(code=f"530427{300 + index}201", name=f"新村{index}", level="village", parent=township)
        exit_household(register_household(actor=None, area=village, sequence=sequence), datetime.date(2018, 5, 1))
        approved(township.code, 2018, households=1)
    with CaptureQueriesContext(connection) as more:
        assert office.get(f"/plans/{COUNTY}/2018/").status_code == 200
    with CaptureQueriesContext(connection) as more_api:
        body = api_for(User.objects.get(pk=leading_group_staff.pk)).get(f"/api/v1/plan-vs-actual/?area={COUNTY}&year=2018").json()
    assert body["own"]["actual"]["households"] == 6
    assert len(more) == len(few) and len(more_api) == len(few_api) <= 15


# ---- approval, lock, revision, warnings -------------------------------------------------------------------------

def test_draft_approval_lock_and_revision(areas, leading_group_staff, city_office, client_for):
    office = client_for(leading_group_staff)
    response = office.post("/plans/new/", {"area": COUNTY, "year": 2019, "households": 300, "persons": 1000,
                                            "villages": 4, "source": "新发〔2018〕24号"})
    plan = ExitPlan.objects.get(area__code=COUNTY, year=2019)
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"
    assert plan.status == ExitPlanStatus.DRAFT and plan.created_by == leading_group_staff

    office.post(f"/plans/{plan.pk}/approve/")  # self-approval is refused
    plan.refresh_from_db()
    assert plan.status == ExitPlanStatus.DRAFT and plan.approved_by is None
    assert "不能审批自己录入" in office.get(f"/plans/{plan.pk}/").content.decode()

    assert office.post(f"/plans/{plan.pk}/edit/", {"households": 320, "persons": 1100, "villages": 4}).status_code == 302
    client_for(city_office).post(f"/plans/{plan.pk}/approve/")
    plan.refresh_from_db()
    assert plan.status == ExitPlanStatus.APPROVED and plan.approved_by == city_office and plan.households == 320

    refused = office.post(f"/plans/{plan.pk}/edit/", {"households": 1, "persons": 1})
    plan.refresh_from_db()
    assert refused.status_code == 409 and "已审批（锁定）" in refused.content.decode()
    assert (plan.households, plan.persons, plan.status) == (320, 1100, ExitPlanStatus.APPROVED)
    assert office.get(f"/plans/{plan.pk}/edit/").status_code == 302
    with pytest.raises(Conflict):
        exit_plan_update(actor=leading_group_staff, plan=plan, households=2)

    assert office.post(f"/plans/{plan.pk}/revise/", {"households": 350}).status_code == 400  # reason required
    response = office.post(f"/plans/{plan.pk}/revise/", {"reason": "动态调整新增识别户", "households": 350, "persons": 1200,
                                                         "villages": 4})
    revision = ExitPlan.objects.get(area__code=COUNTY, year=2019, version=2)
    assert response["Location"] == f"/plans/{revision.pk}/"
    assert revision.previous == plan and revision.status == ExitPlanStatus.DRAFT and revision.households == 350
    assert plan_vs_actual(user=city_office, area_code=COUNTY, year=2019)["own"]["planned"]["households"] == 320
    with pytest.raises(Conflict):  # one open draft at a time
        exit_plan_revise(actor=leading_group_staff, plan=plan, reason="再改", households=1)
    exit_plan_approve(actor=city_office, plan=revision)
    plan.refresh_from_db()
    assert plan.status == ExitPlanStatus.SUPERSEDED and plan.households == 320
    assert plan_vs_actual(user=city_office, area_code=COUNTY, year=2019)["own"]["planned"]["households"] == 350
    history = office.get(f"/plans/{revision.pk}/").content.decode()
    assert "第1版" in history and "第2版" in history and "动态调整新增识别户" in history and "已被新版本取代" in history


def test_approval_needs_plan_edit_at_the_same_or_a_higher_level(areas, leading_group_staff, township_office, city_office):
    plan = exit_plan_create(actor=leading_group_staff, area=Area.objects.get(code=COUNTY), year=2020, households=10)
    with pytest.raises(PermissionDenied):
        exit_plan_approve(actor=township_office, plan=plan)
    with pytest.raises(ApplicationError) as refused:
        exit_plan_approve(actor=leading_group_staff, plan=plan)
    assert refused.value.code == "self_approval"
    plan.refresh_from_db()
    assert plan.status == ExitPlanStatus.DRAFT
    second = make_office("office_2", COUNTY)
    assert exit_plan_approve(actor=second, plan=plan).status == ExitPlanStatus.APPROVED
    with pytest.raises(Conflict):
        exit_plan_approve(actor=city_office, plan=plan)


def test_plan_validation(areas, leading_group_staff):
    county = Area.objects.get(code=COUNTY)
    with pytest.raises(ApplicationError) as mismatch:
        exit_plan_create(actor=leading_group_staff, area=county, year=2018, persons=100, persons_wan=Decimal("0.02"))
    assert "persons" in mismatch.value.field_errors
    with pytest.raises(ApplicationError) as counties:
        exit_plan_create(actor=leading_group_staff, area=county, year=2018, counties=1)
    assert "counties" in counties.value.field_errors
    with pytest.raises(ApplicationError) as empty:
        exit_plan_create(actor=leading_group_staff, area=county, year=2018)
    assert "至少填写一项" in empty.value.message
    plan = exit_plan_create(actor=leading_group_staff, area=county, year=2018, persons_wan=Decimal("0.25"))
    assert plan.persons == 2500
    with pytest.raises(ApplicationError) as twice:
        exit_plan_create(actor=leading_group_staff, area=county, year=2018, households=1)
    assert twice.value.code == "plan_exists" and ExitPlan.objects.count() == 1
    with pytest.raises(PermissionDenied):
        exit_plan_create(actor=leading_group_staff, area=Area.objects.get(code=CITY), year=2018, households=1)


def test_child_plans_summing_differently_warn_but_save(areas, leading_group_staff, client_for):
    county = approved(COUNTY, 2018, persons=100)
    approved(TOWNSHIP, 2018, persons=80)
    office = client_for(leading_group_staff)
    response = office.post("/plans/new/", {"area": OTHER_TOWNSHIP, "year": 2018, "persons": 40}, follow=True)
    assert "超过上级（新平彝族傣族自治县）计划 100" in response.content.decode()
    assert ExitPlan.objects.filter(area__code=OTHER_TOWNSHIP, year=2018).exists()
    assert plan_sum_warnings(plan=county) == ["下级计划人数合计 120，超过本级计划 100"]
    assert "下级计划人数合计 120，超过本级计划 100" in office.get(f"/plans/{county.pk}/").content.decode()
    assert plan_vs_actual(user=leading_group_staff, area_code=COUNTY, year=2018)["warnings"] == [
        "下级计划人数合计 120，超过本级计划 100"
    ]
    shuitang = ExitPlan.objects.get(area__code=OTHER_TOWNSHIP, year=2018)
    exit_plan_update(actor=leading_group_staff, plan=shuitang, persons=10)
    assert plan_sum_warnings(plan=county) == ["下级计划人数合计 90，与本级计划 100 不一致"]
    exit_plan_update(actor=leading_group_staff, plan=shuitang, persons=20)
    assert plan_sum_warnings(plan=county) == []


# ---- who sees what ---------------------------------------------------------------------------------------------

def test_pages_refuse_anonymous_and_users_without_capability(client, client_for, system_admin, village_cadre_a, county_plan):
    urls = ["/plans/", "/plans/new/", f"/plans/{county_plan.pk}/", f"/plans/{county_plan.pk}/edit/",
            f"/plans/{county_plan.pk}/revise/", f"/plans/{COUNTY}/2018/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    assert client.post(f"/plans/{county_plan.pk}/approve/")["Location"].startswith("/accounts/login/")
    for url in urls:
        assert client_for(system_admin).get(url).status_code == 403, url
    cadre = client_for(village_cadre_a)  # may view plans of his village only, may not edit
    for url in ["/plans/new/", f"/plans/{county_plan.pk}/edit/", f"/plans/{county_plan.pk}/revise/"]:
        assert cadre.get(url).status_code == 403, url
    assert cadre.post(f"/plans/{county_plan.pk}/approve/").status_code == 403
    assert cadre.get(f"/plans/{county_plan.pk}/").status_code == 404
    assert "新平彝族傣族自治县" not in cadre.get("/plans/").content.decode()


def test_pages_are_scoped_to_the_users_areas(client_for, township_officer, other_township_officer, county_officer,
                                             township_office, county_plan, township_plan):
    own = client_for(township_officer)
    listing = own.get("/plans/").content.decode()
    assert "老厂乡" in listing and f"/plans/{county_plan.pk}/" not in listing and "脱贫计划" in listing
    assert own.get(f"/plans/{township_plan.pk}/").status_code == 200
    assert own.get(f"/plans/{county_plan.pk}/").status_code == 404
    assert own.get(f"/plans/{COUNTY}/2018/").status_code == 404
    page = own.get(f"/plans/{TOWNSHIP}/2018/").content.decode()
    assert "老厂乡 2018年 计划与实际" in page and f"/plans/{COUNTY}/2018/" not in page  # parent not visible
    assert client_for(other_township_officer).get(f"/plans/{township_plan.pk}/").status_code == 404
    assert client_for(other_township_officer).get(f"/plans/{TOWNSHIP}/2018/").status_code == 404
    county_client = client_for(county_officer)
    county = county_client.get(f"/plans/{TOWNSHIP}/2018/").content.decode()
    assert f"/plans/{COUNTY}/2018/" in county  # the parent's page and plan are shown when visible
    assert f"上级计划（只读）：<a href=\"/plans/{county_plan.pk}/\">" in county and "· 5 户 · 10 人" in county
    assert "上级计划" not in page
    assert county_client.get(f"/plans/compare/?area={TOWNSHIP}&year=2018")["Location"] == f"/plans/{TOWNSHIP}/2018/"
    assert county_client.get("/plans/compare/?area=x&year=2018")["Location"] == "/plans/"
    outsider = client_for(township_office)  # holds plan.edit, but at 水塘镇
    assert outsider.get(f"/plans/{county_plan.pk}/revise/").status_code == 404
    assert outsider.post(f"/plans/{county_plan.pk}/revise/", {"reason": "x", "households": 1}).status_code == 404
    assert ExitPlan.objects.filter(area__code=COUNTY).count() == 1
    response = outsider.post("/plans/new/", {"area": COUNTY, "year": 2019, "households": 1})
    assert response.status_code == 400 and not ExitPlan.objects.filter(year=2019).exists()


def test_list_page_query_count_does_not_grow(areas, leading_group_staff, client_for):
    approved(COUNTY, 2016, households=1)
    office = client_for(leading_group_staff)
    with CaptureQueriesContext(connection) as few:
        assert office.get("/plans/").status_code == 200
    for year in range(2017, 2021):
        approved(COUNTY, year, households=year - 2000)
        approved(TOWNSHIP, year, households=1)
    with CaptureQueriesContext(connection) as more:
        page = office.get("/plans/").content.decode()
    assert page.count("计划与实际</a>") == 9 and len(more) == len(few) <= 10
    assert "2020年" in office.get("/plans/?year=2020").content.decode()


# ---- API ---------------------------------------------------------------------------------------------------------

def test_api_access_matrix(api_for, system_admin, township_officer, other_township_officer, county_plan, township_plan):
    assert api_for().get("/api/v1/exit-plans/").status_code == 401
    assert api_for().get(f"/api/v1/plan-vs-actual/?area={COUNTY}&year=2018").status_code == 401
    assert api_for(system_admin).get("/api/v1/exit-plans/").status_code == 403
    assert api_for(system_admin).get(f"/api/v1/plan-vs-actual/?area={COUNTY}&year=2018").status_code == 403
    own = api_for(township_officer)
    assert [row["area"] for row in own.get("/api/v1/exit-plans/").json()["results"]] == [TOWNSHIP]
    assert own.get(f"/api/v1/exit-plans/{county_plan.pk}/").status_code == 404
    assert own.get(f"/api/v1/exit-plans/{township_plan.pk}/").json()["households"] == 3
    assert own.get(f"/api/v1/plan-vs-actual/?area={COUNTY}&year=2018").status_code == 404
    assert own.post("/api/v1/exit-plans/", {"area": TOWNSHIP, "year": 2019, "households": 1}).status_code == 403
    assert own.post(f"/api/v1/exit-plans/{township_plan.pk}/approve/").status_code == 403
    assert api_for(other_township_officer).get(f"/api/v1/exit-plans/{township_plan.pk}/").status_code == 404


def test_api_writes_go_through_the_services(api_for, leading_group_staff, city_office, township_office, areas):
    office = api_for(leading_group_staff)
    created = office.post("/api/v1/exit-plans/", {"area": COUNTY, "year": 2019, "persons_wan": "0.12", "villages": 2},
                          format="json")
    assert created.status_code == 201 and created.json()["persons"] == 1200 and created.json()["status"] == "draft"
    pk = created.json()["id"]
    assert api_for(township_office).post("/api/v1/exit-plans/", {"area": COUNTY, "year": 2020, "households": 1},
                                         format="json").status_code == 404
    assert api_for(township_office).post(f"/api/v1/exit-plans/{pk}/approve/").status_code == 404
    patched = office.patch(f"/api/v1/exit-plans/{pk}/", {"persons": 1300}, format="json")
    assert patched.status_code == 200 and patched.json()["persons"] == 1300 and patched.json()["persons_wan"] is None
    bad = office.patch(f"/api/v1/exit-plans/{pk}/", {"counties": 1}, format="json")
    assert bad.status_code == 400 and "counties" in bad.json()["errors"]
    assert office.post(f"/api/v1/exit-plans/{pk}/approve/").json()["code"] == "self_approval"
    assert api_for(city_office).post(f"/api/v1/exit-plans/{pk}/approve/").json()["status"] == "approved"
    locked = office.patch(f"/api/v1/exit-plans/{pk}/", {"persons": 1}, format="json")
    assert locked.status_code == 409 and locked.json()["code"] == "plan_locked"
    assert ExitPlan.objects.get(pk=pk).persons == 1300
    revised = office.post(f"/api/v1/exit-plans/{pk}/revise/", {"reason": "调整", "persons": 1400}, format="json")
    assert revised.status_code == 201 and revised.json()["version"] == 2 and revised.json()["previous"] == pk
    assert revised.json()["villages"] == 2
    versions = office.get(f"/api/v1/exit-plans/{pk}/versions/").json()
    assert [(v["version"], v["status"]) for v in versions] == [(1, "approved"), (2, "draft")]
    listed = office.get("/api/v1/exit-plans/?year=2019&status=draft").json()["results"]
    assert [row["version"] for row in listed] == [2]


def test_api_list_query_count_does_not_grow(api_for, leading_group_staff, areas):
    approved(COUNTY, 2016, households=1)
    with CaptureQueriesContext(connection) as few:
        assert api_for(User.objects.get(pk=leading_group_staff.pk)).get("/api/v1/exit-plans/").json()["count"] == 1
    for year in range(2017, 2021):
        approved(TOWNSHIP, year, households=1)
    with CaptureQueriesContext(connection) as more:
        assert api_for(User.objects.get(pk=leading_group_staff.pk)).get("/api/v1/exit-plans/").json()["count"] == 5
    assert len(more) == len(few) <= 6
