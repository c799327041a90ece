"""Field history as reverse deltas (``accounts.history``): the value of a field as of a day, in SQL and in
Python, before, between and after changes, at the local-day boundary, for every stored type; what the
recorders keep; and the services that record."""
import datetime
import zoneinfo
from decimal import Decimal

import pytest

from accounts.history import (
    TRACKED_FIELDS,
    day_end,
    record_changes,
    record_changes_bulk,
    value_as_of,
    value_on,
)
from accounts.models import ValueChange
from assessments.plans.models import ExitPlanBase
from assessments.plans.services import exit_plan_base_save
from conftest import COUNTY, TOWNSHIP, VILLAGE_A
from households.models import Member
from households.services import member_update
from households.tests.factories import member_data, register_household
from projects.models import Project, ProjectBudgetLine
from projects.tests.factories import make_project
from villages.services import area_update

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=ZONE)


def sql_value(model, pk, field, day):
    return model.objects.filter(pk=pk).annotate(v=value_as_of(model, field, day)).values_list("v", flat=True).get()


def both(instance, field, day):
    """The as-of value from the SQL expression and from Python; they must agree."""
    in_sql = sql_value(type(instance), instance.pk, field, day)
    assert in_sql == value_on(instance, field, day)
    return in_sql


@pytest.fixture
def member(areas):
    household = register_household(actor=None, area=areas[VILLAGE_A], sequence=1, head_name="赵一")
    return household.members.get()


def test_without_changes_every_day_reads_the_current_value(member):
    for day in (datetime.date(2000, 1, 1), datetime.date(2024, 6, 30), datetime.date(2100, 1, 1)):
        assert both(member, "is_dibao", day) is False
        assert both(member, "labour_capacity", day) == "full"


def test_one_change_old_value_before_new_value_from_its_local_day_on(member):
    record_changes(member, member.pk, {"is_dibao": False}, at=at(2024, 5, 10, 9, 0))
    Member.objects.filter(pk=member.pk).update(is_dibao=True)
    member.refresh_from_db()
    assert both(member, "is_dibao", datetime.date(2024, 5, 9)) is False
    assert both(member, "is_dibao", datetime.date(2024, 5, 10)) is True  # changed during the day: the day ends with it
    assert both(member, "is_dibao", datetime.date(2030, 1, 1)) is True


def test_several_changes_each_period_reads_its_own_value(member):
    # full → partial (1 March) → lost (1 June) → none (1 September, the current value)
    for old, when in (("full", at(2024, 3, 1, 10)), ("partial", at(2024, 6, 1, 10)), ("lost", at(2024, 9, 1, 10))):
        record_changes(member, member.pk, {"labour_capacity": old}, at=when)
    Member.objects.filter(pk=member.pk).update(labour_capacity="none")
    member.refresh_from_db()
    expected = {datetime.date(2024, 2, 29): "full", datetime.date(2024, 3, 1): "partial", datetime.date(2024, 5, 31): "partial", datetime.date(2024, 6, 30): "lost",
                datetime.date(2024, 8, 31): "lost", datetime.date(2024, 9, 1): "none", datetime.date(2025, 1, 1): "none"}
    assert {day: both(member, "labour_capacity", day) for day in expected} == expected


def test_the_day_ends_at_local_midnight_not_utc(member):
    # 23:30 in Shanghai is 15:30 UTC the same day; 00:30 the next local day is still 16:30 UTC "the same day".
    record_changes(member, member.pk, {"tekun": ""}, at=at(2024, 5, 10, 23, 30))
    record_changes(member, member.pk, {"tekun": "dispersed"}, at=at(2024, 5, 11, 0, 30))
    Member.objects.filter(pk=member.pk).update(tekun="centralised")
    member.refresh_from_db()
    assert day_end(datetime.date(2024, 5, 10)) == at(2024, 5, 11)
    assert both(member, "tekun", datetime.date(2024, 5, 9)) == ""
    assert both(member, "tekun", datetime.date(2024, 5, 10)) == "dispersed"
    assert both(member, "tekun", datetime.date(2024, 5, 11)) == "centralised"


def test_an_old_null_is_not_mistaken_for_no_change(areas):
    village = areas[VILLAGE_A]
    area_update(actor=None, area=village, actual_exit_date=datetime.date(2024, 12, 1))
    change = ValueChange.objects.get(model="villages.area", object_id=village.pk, field="actual_exit_date")
    assert change.old_value is None
    village.refresh_from_db()
    local_day = change.changed_at.astimezone(ZONE).date()
    assert both(village, "actual_exit_date", local_day - datetime.timedelta(days=1)) is None
    assert both(village, "actual_exit_date", local_day) == datetime.date(2024, 12, 1)


def test_dates_decimals_integers_and_booleans_come_back_typed(areas, township_officer):
    village = areas[VILLAGE_A]
    record_changes(village, village.pk, {"actual_exit_date": datetime.date(2023, 12, 20), "is_poor_village": True},
                   at=at(2024, 7, 1, 8))
    project = make_project(actor=township_officer, area=village)
    record_changes(project, project.pk, {"budget_total": Decimal("123456.78")}, at=at(2024, 7, 1, 8))
    base = exit_plan_base_save(actor=None, area=areas[COUNTY], base_year=2017, end_year=2020, households=630)
    record_changes(base, base.pk, {"end_year": 2019, "households": None}, at=at(2024, 7, 1, 8))
    day = datetime.date(2024, 6, 30)
    assert both(village, "actual_exit_date", day) == datetime.date(2023, 12, 20)
    assert both(village, "is_poor_village", day) is True
    assert both(project, "budget_total", day) == Decimal("123456.78")
    assert both(base, "end_year", day) == 2019 and both(base, "households", day) is None
    assert (both(project, "budget_total", datetime.date(2024, 7, 1)), both(base, "households", datetime.date(2024, 7, 1))) == (Decimal("400000"), 630)


def test_set_based_over_many_rows_and_through_a_relation(areas):
    households = [register_household(actor=None, area=areas[VILLAGE_A], sequence=10 + n, head_name=f"户{n}") for n in range(4)]
    members = [household.members.get() for household in households]
    record_changes_bulk(Member, [(m.pk, {"is_dibao": False}) for m in members[:2]], at=at(2024, 8, 1, 12))
    Member.objects.filter(pk__in=[m.pk for m in members]).update(is_dibao=True)
    counted = Member.objects.annotate(v=value_as_of(Member, "is_dibao", datetime.date(2024, 6, 30))).filter(v=True).count()
    assert counted == 2  # two changed after the day (False then), two never changed (True from the start)


def test_read_through_a_relation(areas, township_officer):
    project = make_project(actor=township_officer, area=areas[VILLAGE_A])
    record_changes(project, project.pk, {"budget_total": Decimal("350000")}, at=at(2024, 8, 1, 12))
    lines = ProjectBudgetLine.objects.filter(project=project).annotate(
        budget=value_as_of(Project, "budget_total", datetime.date(2024, 6, 30), relation="project"),
        budget_now=value_as_of(Project, "budget_total", datetime.date(2024, 8, 1), relation="project"))
    assert {(line.budget, line.budget_now) for line in lines} == {(Decimal("350000"), Decimal("400000"))}


def test_recorders_keep_only_tracked_fields_and_bulk_is_one_insert(member, django_assert_num_queries, county_officer):
    assert record_changes(member, None, {"name": "旧名", "is_dibao": False}, county_officer) == 1
    change = ValueChange.objects.get()
    assert (change.model, change.object_id, change.field, change.old_value, change.actor) == (
        "households.member", member.pk, "is_dibao", "false", county_officer)
    assert record_changes("households.member", member.pk, {"name": "旧名"}) == 0
    with django_assert_num_queries(1):
        written = record_changes_bulk(Member, [(member.pk, {"tekun": "", "labour_capacity": "full", "name": "x"}),
                                               (member.pk + 1000, {"is_dibao": True})])
    assert written == 3
    with django_assert_num_queries(0):
        assert record_changes_bulk(Member, [(member.pk, {"name": "x"})]) == 0


def test_untracked_fields_are_refused_by_the_readers(member):
    with pytest.raises(ValueError, match="keeps no history"):
        value_as_of(Member, "name", datetime.date(2024, 1, 1))
    with pytest.raises(ValueError):
        value_on(member, "health_status", datetime.date(2024, 1, 1))
    assert set(TRACKED_FIELDS["households.member"]) == {"is_dibao", "tekun", "labour_capacity"}


def test_services_record_what_they_replace(member, areas, village_cadre_a):
    member_update(actor=village_cadre_a, member=member, data={**member_data(1, name="赵一"), "is_dibao": True,
                                                                "labour_capacity": "lost", "ethnicity": "彝族"})
    rows = {row.field: row.old_value for row in ValueChange.objects.filter(model="households.member", object_id=member.pk)}
    assert rows == {"is_dibao": "false", "labour_capacity": "full"}  # 民族 keeps no history
    assert ValueChange.objects.filter(model="households.member").first().actor == village_cadre_a
    area_update(actor=None, area=areas[TOWNSHIP], name="老厂乡（新）")
    assert not ValueChange.objects.filter(model="villages.area").exists()
    base = exit_plan_base_save(actor=None, area=areas[COUNTY], base_year=2017, end_year=2020, households=630)
    exit_plan_base_save(actor=None, area=areas[COUNTY], base_year=2017, end_year=2020, households=640, persons=2026)
    assert {(row.field, row.old_value) for row in ValueChange.objects.filter(model="assessments.exitplanbase")} == {
        ("households", "630"), ("persons", None)}
    assert ExitPlanBase.objects.get(pk=base.pk).households == 640
