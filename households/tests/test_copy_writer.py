"""The import's COPY path stores exactly what ``bulk_create`` would: NULL stays NULL, an empty string stays
an empty string, booleans, dates, defaults, constants and JSON (with quotes, commas, line breaks, Chinese)
come back unchanged. Runs on PostgreSQL, where the import uses COPY."""
import datetime

import pytest
from django.db import connection
from django.utils import timezone

from households.imports.bulk import CopyWriter
from households.models import HouseholdEvent, Member
from households.tests.factories import make_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.fail("the COPY path is PostgreSQL's; the suite runs on PostgreSQL")


def test_members_round_trip_nulls_empty_strings_booleans_dates_and_defaults(postgres_only, household_a):
    now = timezone.now()
    rows = [
        {"household_id": household_a.pk, "name": "刀\"小\",明", "id_number": make_id_number(301), "sex": "male",
         "birth_date": datetime.date(1980, 1, 1), "relation": "20", "ethnicity": "", "disability_grade": None,
         "is_dibao": True, "work_months": 0, "left_date": None},
        {"household_id": household_a.pk, "name": "李\n二", "id_number": make_id_number(302, odd=False),
         "sex": "female", "birth_date": datetime.date(1982, 2, 28), "relation": "30", "ethnicity": "彝族",
         "disability_grade": 2, "is_dibao": False, "work_months": 12, "left_date": datetime.date(2020, 5, 6)},
    ]
    assert CopyWriter(Member, created_at=now, updated_at=now).write(rows) == 2
    first = Member.objects.get(id_number=make_id_number(301))
    second = Member.objects.get(id_number=make_id_number(302, odd=False))
    assert (first.name, first.ethnicity, first.disability_grade, first.is_dibao, first.left_date) == (
        "刀\"小\",明", "", None, True, None)
    assert (second.name, second.ethnicity, second.disability_grade, second.is_dibao, second.left_date) == (
        "李\n二", "彝族", 2, False, datetime.date(2020, 5, 6))
    # Columns the rows leave out take the field default; constants are written as given.
    assert first.health_status == Member._meta.get_field("health_status").default and first.tekun == ""
    assert first.is_registered is True and first.created_at == now and first.updated_at == now
    assert Member.objects.filter(id_number=make_id_number(301), ethnicity__isnull=True).count() == 0


def test_events_round_trip_json_and_a_null_actor(postgres_only, household_a):
    now = timezone.now()
    changes = {"住址": ["旧, \"址\"", "新\n址"], "members_added": 2, "created": True, "note": None}
    CopyWriter(HouseholdEvent, type=HouseholdEvent.Type.IMPORTED, actor_id=None, at=now).write(
        [{"household_id": household_a.pk, "summary": "Excel 导入更新：住址", "changes": changes}]
    )
    event = HouseholdEvent.objects.get(household=household_a, type=HouseholdEvent.Type.IMPORTED)
    assert event.changes == changes and event.actor_id is None and event.at == now
    assert event.summary == "Excel 导入更新：住址"


def test_a_stream_of_several_slices_split_mid_row_arrives_whole(postgres_only, household_a, monkeypatch):
    """The rows are serialised a slice at a time while psycopg2 reads fixed-size chunks: with slices of 7 rows
    and chunks of 50 characters every row and chunk boundary falls somewhere new, and all 40 rows arrive intact."""
    from households.imports import bulk

    monkeypatch.setattr(bulk, "STREAM_ROWS", 7)
    monkeypatch.setattr(bulk, "STREAM_CHUNK", 50)
    now = timezone.now()
    rows = [{"household_id": household_a.pk, "summary": f"第{index}行，\"引号\"\n换行", "changes": {"n": index, "名": "李" * index}}
            for index in range(40)]
    assert CopyWriter(HouseholdEvent, type=HouseholdEvent.Type.IMPORTED, actor_id=None, at=now).write(rows) == 40
    stored = sorted(HouseholdEvent.objects.filter(household=household_a, type=HouseholdEvent.Type.IMPORTED)
                    .values_list("summary", "changes"), key=lambda pair: pair[1]["n"])
    assert stored == [(row["summary"], row["changes"]) for row in rows]
