"""Quarterly report of the demo county: snapshot + WeasyPrint PDF, target < 10 s for about 20 pages.

Builds a throwaway database (``<name>_bench_reports``) with the migrations and ``manage.py load_demo``, then
generates the demo county's report for the last finished quarter three times (the report is deleted between
runs) and prints the pages and the median seconds, split into snapshot and PDF.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/povalleviation .venv/bin/python scripts/bench_reports.py
"""
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNTY = "530427000000"
TARGET_SECONDS = 10


def _setup(database_url: str, media: str):
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ["MEDIA_ROOT"] = media
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"  # generation runs in this process, not on a worker
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povalleviation.settings")
    import django

    django.setup()


def _last_finished_quarter(today):
    quarter = (today.month - 1) // 3
    return (today.year, quarter) if quarter else (today.year - 1, 4)


def bench_reports(database_url: str) -> dict:
    with tempfile.TemporaryDirectory() as media:
        _setup(database_url, media)
        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        from accounts.models import Post
        from reports import generation
        from reports.models import QuarterlyReport
        from reports.services import report_generate
        from villages.models import Area

        creation = connection.creation
        old_name = connection.settings_dict["NAME"]
        connection.settings_dict["TEST"] = {**connection.settings_dict.get("TEST", {}), "NAME": f"{old_name}_bench_reports"}
        creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        try:
            with open(os.devnull, "w") as quiet:
                call_command("load_demo", stdout=quiet)
            county = Area.objects.get(code=COUNTY)
            office = Post.objects.filter(area=county, role="leading_group_office").select_related("user").first().user
            year, quarter = _last_finished_quarter(timezone.localdate())
            timings, snapshot_times, pages = [], [], 0
            original_build = generation.build_snapshot

            def timed_build(**kwargs):
                start = time.perf_counter()
                result = original_build(**kwargs)
                snapshot_times.append(time.perf_counter() - start)
                return result

            generation.build_snapshot = timed_build
            for _ in range(3):
                start = time.perf_counter()
                report = report_generate(actor=office, area=county, year=year, quarter=quarter)  # built on commit
                timings.append(time.perf_counter() - start)
                report.refresh_from_db()
                if report.status != "draft":
                    raise SystemExit(f"报告生成失败：{report.error_message}")
                pages = report.page_count
                QuarterlyReport.objects.filter(pk=report.pk).delete()
            seconds, snapshot = statistics.median(timings), statistics.median(snapshot_times)
            print(f"季度进展报告（{county.name} {year}年第{quarter}季度，{pages} 页）：")
            print(f"  数据快照        {snapshot:8.2f} s")
            print(f"  合计（含 PDF）  {seconds:8.2f} s（目标 < {TARGET_SECONDS} s）{'✓' if seconds < TARGET_SECONDS else '✗'}")
            return {"pages": pages, "seconds": seconds, "snapshot_seconds": snapshot}
        finally:
            creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    result = bench_reports(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/povalleviation"))
    sys.exit(0 if result["seconds"] < TARGET_SECONDS else 1)
