"""Spend-ratio recompute on a province-sized ledger vs one hand-written SQL aggregate (issue 6 "Speed").

Builds a throwaway database (``<name>_bench_funds``) with 1 province, 10 counties, 100 townships, 1 000
villages, 10 000 projects and 200 000 disbursements, then times ``spend_ratios_recompute`` for the province
(aggregate, roll up to every level, replace the stored rows) against one hand-written aggregate of the same
two ledger tables by receiving area and source. Prints both (median of 5) and the ratio; the target is ≤ 2.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/povalleviation .venv/bin/python scripts/bench_funds.py
"""
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEAR, AS_OF = 2024, datetime.date(2024, 12, 31)
HAND_WRITTEN = """
SELECT area_code, source_id, SUM(a), SUM(d) FROM (
  SELECT area_code, source_id, amount AS a, 0 AS d FROM funds_fundallocation WHERE year = %s AND allocated_on <= %s
  UNION ALL
  SELECT area_code, source_id, 0, amount FROM funds_disbursement
    WHERE year = %s AND paid_on <= %s AND status IN ('recorded', 'township_checked', 'settled')
) ledger GROUP BY area_code, source_id
"""


def _setup(database_url: str):
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povalleviation.settings")
    import django

    django.setup()


def _build_ledger():
    from django.db import connection

    from projects.services import fund_sources_ensure
    from villages.models import Area

    fund_sources_ensure()
    province = Area.objects.create(code="530000000000", name="省", level="province")
    city = Area.objects.create(code="530400000000", name="市", level="city", parent=province)
    areas = []
    for c in range(10):
        county = Area(code=f"5304{c + 21:02d}000000", name=f"县{c}", level="county", parent=city)
        areas.append(county)
    Area.objects.bulk_create(areas)
    counties = list(Area.objects.filter(level="county"))
    Area.objects.bulk_create([Area(code=f"{county.code[:6]}{t + 101:03d}000", name=f"乡{t}", level="township", parent=county)
                              for county in counties for t in range(10)])
    townships = list(Area.objects.filter(level="township"))
    Area.objects.bulk_create([Area(code=f"{township.code[:9]}{v + 201:03d}", name=f"村{v}", level="village", parent=township)
                              for township in townships for v in range(10)])
    with connection.cursor() as cursor:
        # 10 projects per village (10 000), approved.
        cursor.execute("""
            INSERT INTO projects_project (number, name, area_id, area_code, category, year, responsible_unit, description,
              planned_start, planned_finish, budget_total, expected_households, expected_persons, benefit_mechanism,
              benefit_note, status, approved_budget, version, is_demo, created_at, updated_at)
            SELECT 'B' || a.code || '-' || n, '项目' || n, a.id, a.code, 'industry', %s, '乡政府', '', '2024-03-01', '2024-11-30',
              1000000, 10, 30, 'drive', '', 'approved', '{}', 1, false, now(), now()
            FROM villages_area a CROSS JOIN generate_series(1, 10) n WHERE a.level = 'village'""", [YEAR])
        # Allocations: 5 sources per county (large), 1 per township.
        cursor.execute("""
            INSERT INTO funds_fundallocation (source_id, area_id, area_code, year, document_number, allocated_on, amount, method,
              note, published_on, publication_place, assigned_amount, disbursed_amount, is_demo, created_at)
            SELECT s.id, a.id, a.code, %s, 'DOC-' || a.code || '-' || s.code, '2024-02-01', 1000000000, 'factor', '',
              '2024-02-01', '网站', 0, 0, false, now()
            FROM villages_area a CROSS JOIN funds_fundsource s
            WHERE (a.level = 'county' AND s.sort_order < 5) OR (a.level = 'township' AND s.code = 'province_special')""", [YEAR])
        # One funding per project from its county's allocation of a source chosen by the project number.
        cursor.execute("""
            INSERT INTO funds_projectfunding (allocation_id, project_id, amount, disbursed_amount, created_at)
            SELECT al.id, p.id, 1000000, 0, now() FROM projects_project p
            JOIN funds_fundallocation al ON al.area_code = substr(p.area_code, 1, 6) || '000000'
             AND al.source_id = (SELECT id FROM funds_fundsource ORDER BY sort_order LIMIT 1 OFFSET (p.id % 5))""")
        # 20 disbursements per funding (200 000), paid across the year.
        cursor.execute("""
            INSERT INTO funds_disbursement (funding_id, allocation_id, project_id, source_id, year, area_code, project_area_code,
              paid_on, amount, voucher_number, payee, note, status, review_note, is_demo, created_at)
            SELECT f.id, al.id, f.project_id, al.source_id, al.year, al.area_code, p.area_code,
              DATE '2024-01-01' + ((f.id * 7 + n * 17) % 360)::int, 1000 + n, 'V' || f.id || '-' || n, '', '',
              CASE WHEN n = 20 THEN 'rejected' ELSE 'settled' END, '', false, now()
            FROM funds_projectfunding f JOIN funds_fundallocation al ON al.id = f.allocation_id
            JOIN projects_project p ON p.id = f.project_id CROSS JOIN generate_series(1, 20) n""")
        cursor.execute("ANALYZE")
        cursor.execute("SELECT (SELECT count(*) FROM projects_project), (SELECT count(*) FROM funds_disbursement)")
        return province, cursor.fetchone()


class _NoMigrations(dict):
    def __contains__(self, item):
        return True

    def __getitem__(self, item):
        return None


def _median(function, runs=5):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_funds(database_url: str) -> dict:
    """Build the ledger in a throwaway database, time both, print and return the figures."""
    _setup(database_url)
    from django.conf import settings
    from django.db import connection

    from funds.recompute import spend_ratios_recompute

    # Tables straight from the models (as pytest --no-migrations): the bench needs the schema, not its history.
    settings.MIGRATION_MODULES = _NoMigrations()
    creation = connection.creation
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"] = {**connection.settings_dict.get("TEST", {}), "NAME": f"{old_name}_bench_funds"}
    creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        province, (projects, disbursements) = _build_ledger()

        def hand_written():
            with connection.cursor() as cursor:
                cursor.execute(HAND_WRITTEN, [YEAR, AS_OF, YEAR, AS_OF])
                cursor.fetchall()

        hand_written()
        spend_ratios_recompute(area=province, year=YEAR, as_of=AS_OF, trigger="bench")
        aggregate_seconds = _median(hand_written)
        recompute_seconds = _median(lambda: spend_ratios_recompute(area=province, year=YEAR, as_of=AS_OF, trigger="bench"))
        ratio = recompute_seconds / aggregate_seconds
        print(f"资金支出进度重算（{projects} 个项目，{disbursements} 笔报账）：")
        print(f"  手写 SQL 聚合   {aggregate_seconds * 1000:8.1f} ms")
        print(f"  集合式重算      {recompute_seconds * 1000:8.1f} ms")
        print(f"  比值            {ratio:8.2f}（目标 ≤ 2）{'✓' if ratio <= 2 else '✗'}")
        return {"projects": projects, "disbursements": disbursements, "aggregate_seconds": aggregate_seconds,
                "recompute_seconds": recompute_seconds, "ratio": ratio}
    finally:
        creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    result = bench_funds(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/povalleviation"))
    sys.exit(0 if result["ratio"] <= 2 else 1)
