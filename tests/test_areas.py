"""The area tree: code constraints, tree queries, the prefix index, and the two loading commands."""
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory, override_settings

from accounts.demo import DEMO_USERS
from accounts.models import AuditEvent, Post, User
from conftest import (
    CITY,
    COUNTY,
    GROUP_A1,
    OTHER_TOWNSHIP,
    OTHER_VILLAGE,
    PROVINCE,
    TOWNSHIP,
    VILLAGE_A,
    VILLAGE_B,
)
from villages.models import Area
from villages.services import area_create

pytestmark = pytest.mark.django_db

AREAS_CSV = Path(settings.BASE_DIR) / "fixtures" / "xinping_areas.csv"


# ---------------------------------------------------------------- constraints


def test_code_is_unique(areas):
    with pytest.raises(IntegrityError), transaction.atomic():
        Area.objects.create(code=VILLAGE_A, name="重复", level="village", parent=areas[TOWNSHIP])
    with pytest.raises(ValidationError) as raised:
        area_create(actor=None, code=VILLAGE_A, name="重复", level="village")
    assert "code" in raised.value.message_dict
    assert Area.objects.filter(code=VILLAGE_A).count() == 1


@pytest.mark.parametrize(
    "code, level",
    [
        ("530427204000", "village"),  # a township's code stored as a village
        ("530427204202", "township"),  # a village's code stored as a township
        ("530427000000", "township"),  # a county's code stored as a township
        ("53042720420", "village"),  # 11 digits
        ("530427204202000", "group"),  # a group numbered 000
        ("5304272042a2", "village"),  # not digits
    ],
)
def test_database_refuses_a_code_whose_shape_does_not_match_the_level(areas, code, level):
    before = Area.objects.count()
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        # Bypasses clean(): the CHECK constraint alone must refuse it.
        Area.objects.create(code=code, name="坏数据", level=level, parent=areas[TOWNSHIP])
    assert "area_code_matches_level" in str(raised.value)
    assert Area.objects.count() == before


def test_database_refuses_a_province_with_a_parent(areas):
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        Area.objects.create(code="520000000000", name="贵州省", level="province", parent=areas[PROVINCE])
    assert "area_root_is_province" in str(raised.value)


def test_clean_refuses_a_parent_not_exactly_one_level_up(areas):
    village = Area(code="530427204210", name="新村", level="village", parent=areas[COUNTY])
    with pytest.raises(ValidationError) as raised:
        village.clean()
    assert raised.value.message_dict["parent"] == ["上级区域必须是乡镇级，而 新平彝族傣族自治县 是县级"]
    group = Area(code="530427204202002", name="二组", level="group", parent=areas[TOWNSHIP])
    with pytest.raises(ValidationError) as raised:
        group.clean()
    assert "上级区域必须是村级" in raised.value.message_dict["parent"][0]


def test_clean_refuses_a_code_whose_prefix_differs_from_the_parent(areas):
    # A 水塘镇 village code placed under 老厂乡.
    village = Area(code="530427104210", name="错挂村", level="village", parent=areas[TOWNSHIP])
    with pytest.raises(ValidationError) as raised:
        village.clean()
    assert raised.value.message_dict["code"] == [
        f"区划代码 530427104210 与上级区域代码 {TOWNSHIP} 的前缀不一致"
    ]


def test_clean_refuses_bad_shape_and_missing_parent(areas):
    with pytest.raises(ValidationError) as raised:
        Area(code="530427204000", name="坏", level="village", parent=areas[TOWNSHIP]).clean()
    assert "不符合村级代码格式" in raised.value.message_dict["code"][0]
    with pytest.raises(ValidationError) as raised:
        Area(code="530427204210", name="孤儿村", level="village", parent=None).clean()
    assert raised.value.message_dict["parent"] == ["缺少上级区域"]
    with pytest.raises(ValidationError) as raised:
        Area(code="520000000000", name="贵州省", level="province", parent=areas[PROVINCE]).clean()
    assert raised.value.message_dict["parent"] == ["省级区域不能有上级区域"]


def test_clean_accepts_a_well_placed_area(areas):
    Area(code="530427204210", name="新村", level="village", parent=areas[TOWNSHIP]).clean()


def test_area_create_service_refuses_bad_placement_and_writes_nothing(areas):
    before = (Area.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError):
        area_create(actor=None, code="530427104210", name="错挂村", level="village", parent=areas[TOWNSHIP])
    with pytest.raises(ValidationError):
        # A village whose township segment is 000 would hang directly under the county.
        area_create(actor=None, code="530427000001", name="无乡村", level="village")
    assert (Area.objects.count(), AuditEvent.objects.count()) == before


# ---------------------------------------------------------------- tree queries


def codes(queryset) -> list[str]:
    return list(queryset.values_list("code", flat=True))


def test_within_descendants_ancestors(areas):
    township = areas[TOWNSHIP]
    assert codes(Area.objects.within(township).order_by("code")) == sorted([TOWNSHIP, VILLAGE_A, VILLAGE_B, GROUP_A1])
    assert codes(Area.objects.descendants_of(township).order_by("code")) == sorted([VILLAGE_A, VILLAGE_B, GROUP_A1])
    assert codes(Area.objects.within(areas[GROUP_A1])) == [GROUP_A1]
    assert codes(Area.objects.descendants_of(areas[GROUP_A1])) == []
    assert codes(Area.objects.ancestors_of(areas[GROUP_A1])) == [PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE_A]
    assert codes(Area.objects.ancestors_of(areas[PROVINCE])) == []
    county_subtree = codes(Area.objects.descendants_of(areas[COUNTY]).order_by("code"))
    assert county_subtree == sorted([TOWNSHIP, VILLAGE_A, VILLAGE_B, GROUP_A1, OTHER_TOWNSHIP, OTHER_VILLAGE])
    assert areas[TOWNSHIP].contains(areas[GROUP_A1])
    assert not areas[TOWNSHIP].contains(areas[OTHER_VILLAGE])
    assert areas[GROUP_A1].ancestor_codes() == [PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE_A]


def test_within_a_village_does_not_match_a_longer_sibling_code(areas):
    """A village's prefix is its full 12 digits; the group's 15-digit code starts with it, nothing else does."""
    area_create(actor=None, code="530427204220", name="二十村", level="village")
    assert codes(Area.objects.within(areas[VILLAGE_A]).order_by("code")) == [VILLAGE_A, GROUP_A1]


def test_within_is_a_like_query_served_by_the_pattern_ops_index(areas):
    assert connection.vendor == "postgresql", "the test suite runs on PostgreSQL (set DATABASE_URL)"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'villages_area' "
            "AND indexdef LIKE '%%(code varchar_pattern_ops)%%'"
        )
        pattern_indexes = dict(cursor.fetchall())
    assert "area_code_prefix_idx" in pattern_indexes
    queryset = Area.objects.within(areas[COUNTY])
    sql, params = queryset.query.sql_with_params()
    assert "LIKE" in sql and params[0] == "530427%"
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert "Index Scan" in plan or "Index Only Scan" in plan, plan
    # The range condition ~>=~ / ~<~ is what a pattern-ops index turns a prefix LIKE into.
    assert "~>=~" in plan and "~<~" in plan, plan
    assert any(f"using {name}" in plan for name in pattern_indexes), plan


# ---------------------------------------------------------------- load_areas


def run_command(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_load_areas_loads_the_xinping_list(db):
    out, _ = run_command("load_areas", str(AREAS_CSV))
    assert "新增 138，更新 0，未变 0" in out
    assert Area.objects.count() == 138
    assert Area.objects.filter(level="province").count() == 1
    assert Area.objects.filter(level="city").count() == 1
    assert Area.objects.filter(level="county").count() == 1
    assert Area.objects.filter(level="township").count() == 12
    assert Area.objects.filter(level="village").count() == 123
    county = Area.objects.get(code=COUNTY)
    assert county.name == "新平彝族傣族自治县"
    assert Area.objects.descendants_of(county).count() == 135
    assert Area.objects.get(code=VILLAGE_A).name == "太和村委会"
    assert Area.objects.get(code=VILLAGE_A).parent.code == TOWNSHIP
    # Every area below the province hangs on the area one level up whose code is its prefix.
    for area in Area.objects.exclude(level="province").select_related("parent"):
        area.clean()
    assert AuditEvent.objects.filter(action="area.load").count() == 1


def test_load_areas_twice_changes_nothing(db):
    run_command("load_areas", str(AREAS_CSV))
    before = list(Area.objects.values_list("code", "name", "parent_id", "updated_at").order_by("code"))
    events = AuditEvent.objects.count()
    out, _ = run_command("load_areas", str(AREAS_CSV))
    assert "新增 0，更新 0，未变 138" in out
    assert list(Area.objects.values_list("code", "name", "parent_id", "updated_at").order_by("code")) == before
    assert AuditEvent.objects.count() == events


def test_load_areas_dry_run_writes_nothing(db):
    out, _ = run_command("load_areas", str(AREAS_CSV), "--dry-run")
    assert "检查通过" in out
    assert Area.objects.count() == 0


BAD_CSV = """code,name,level,parent_code
530000000000,云南省,province,
530400000000,玉溪市,city,530000000000
530427000000,新平彝族傣族自治县,county,530400000000
53042700100,桂山街道,township,530427000000
530427001000,桂山街道,village,530427000000
530427999201,无乡村,village,530427999000
530427000000,新平县,county,530400000000
530427002000,平甸乡,township,530400000000
530427000001,无乡之村,village,
,空代码,village,
530427204000,,township,530427000000
530427204000,老厂乡,township,530427000000
"""


def test_load_areas_reports_every_bad_row_and_loads_nothing(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    events = AuditEvent.objects.count()
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("load_areas", str(path), stdout=StringIO(), stderr=err)
    assert str(raised.value) == "共 8 处错误，未导入任何区域。"
    lines = err.getvalue().strip().splitlines()
    assert lines == [
        "第 5 行：区划代码 53042700100 必须是 12 位（村民小组 15 位）数字",
        "第 6 行：层级“village”与区划代码 530427001000 不符（应为乡镇）",
        "第 8 行：区划代码 530427000000 与第 4 行重复",
        "第 9 行：上级代码 530400000000 与区划代码 530427002000 的前缀不一致（应为 530427000000）",
        "第 10 行：区划代码 530427000001 的上级代码 530427000000 不是乡镇级代码",
        "第 11 行：区划代码为空",
        "第 12 行：名称为空",
        "第 7 行：找不到上级区域 530427999000（乡镇）",
    ]
    assert Area.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_load_areas_with_bad_rows_leaves_an_existing_tree_unchanged(db, tmp_path):
    run_command("load_areas", str(AREAS_CSV))
    before = list(Area.objects.values_list("code", "name", "updated_at").order_by("code"))
    path = tmp_path / "mixed.csv"
    path.write_text(
        "code,name,level,parent_code\n"
        "530427204220,新增的好村,village,530427204000\n"
        "530427204202,太和村（改名）,village,530427204000\n"
        "530427204221,错层级,township,530427204000\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError):
        call_command("load_areas", str(path), stdout=StringIO(), stderr=StringIO())
    assert list(Area.objects.values_list("code", "name", "updated_at").order_by("code")) == before


def test_load_areas_missing_file(db):
    with pytest.raises(CommandError) as raised:
        call_command("load_areas", "/nonexistent/areas.csv", stdout=StringIO(), stderr=StringIO())
    assert "无法读取文件" in str(raised.value)


# ---------------------------------------------------------------- load_demo


def test_load_demo_is_idempotent_and_creates_one_user_per_listed_role(db):
    run_command("load_demo")
    counts = (Area.objects.count(), User.objects.count(), Post.objects.count())
    assert counts == (138 + 8, len(DEMO_USERS), len(DEMO_USERS))
    run_command("load_demo")
    assert (Area.objects.count(), User.objects.count(), Post.objects.count()) == counts
    for username, full_name, _unit, role, area_code, is_staff in DEMO_USERS:
        user = User.objects.get(username=username)
        assert (user.full_name, user.is_demo, user.is_staff) == (full_name, True, is_staff)
        assert list(user.posts.values_list("role", "area__code")) == [(role, area_code)]
    assert {role for *_, role, _area, _staff in DEMO_USERS} == {post.role for post in Post.objects.all()}
    assert Area.objects.get(code=VILLAGE_A).is_poor_village
    assert Area.objects.filter(parent__code=VILLAGE_A, level="group").count() == 4
    # Outside production the published demo password signs in.
    user = authenticate(RequestFactory().post("/accounts/login/"), username="cadre_taihe", password=settings.DEMO_PASSWORD)
    assert user is not None and user.username == "cadre_taihe"


@override_settings(PRODUCTION=True)
def test_load_demo_refused_in_production(db):
    with pytest.raises(CommandError) as raised:
        call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    assert str(raised.value) == "生产模式下不能载入演示数据。"
    assert (Area.objects.count(), User.objects.count()) == (0, 0)
