"""Speed benchmarks (`make bench`): each benchmark is a function registered with ``@benchmark``.

They run against a scratch PostgreSQL database (``povalleviation_bench`` on the server of DATABASE_URL,
dropped and re-created, migrated and loaded with the demo county's areas), print their figures and never
fail the build. Add a benchmark by writing ``def bench_something(context): ...`` decorated with
``@benchmark("something")``; ``context`` carries the work directory and helpers.

    python scripts/bench.py                      # every benchmark
    python scripts/bench.py household_import     # only these
    python scripts/bench.py --keep-database      # leave povalleviation_bench for inspection
"""
import argparse
import io
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/povalleviation"
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "povalleviation_bench")
BENCHMARKS: dict[str, callable] = {}


def benchmark(name: str):
    def register(function):
        BENCHMARKS[name] = function
        return function

    return register


@dataclass
class Context:
    work_dir: Path
    database_url: str
    results: dict = field(default_factory=dict)

    @staticmethod
    def timed(function, *args, **kwargs):
        started = time.perf_counter()
        value = function(*args, **kwargs)
        return value, time.perf_counter() - started


def _connect(url: str, dbname: str | None = None):
    import psycopg2

    parts = urlsplit(url)
    return psycopg2.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 5432, user=parts.username or "postgres",
                            password=parts.password or None, dbname=dbname or parts.path.lstrip("/"))


def scratch_database(base_url: str) -> str:
    """Drop and create the scratch database next to DATABASE_URL's; returns its URL."""
    parts = urlsplit(base_url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("make bench 需要 PostgreSQL：请设置 DATABASE_URL=postgres://…")
    connection = _connect(base_url, dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    connection.close()
    return urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))


def drop_database(base_url: str):
    connection = _connect(base_url, dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
    connection.close()


def setup_django(database_url: str):
    """Point Django at the scratch database, migrate it and load the demo county's areas."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povalleviation.settings")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    sys.path.insert(0, str(BASE_DIR))
    import django
    from django.core.management import call_command

    django.setup()
    (_, seconds) = Context.timed(call_command, "migrate", verbosity=0, interactive=False)
    call_command("load_areas", str(BASE_DIR / "fixtures" / "xinping_areas.csv"), stdout=io.StringIO())
    print(f"准备数据库 {BENCH_DATABASE}：迁移并导入区域，用时 {seconds:.1f} 秒")


def _rate(rows: int, seconds: float) -> float:
    return rows / seconds if seconds else float("inf")


def _copy_tables(tables: list[str]) -> dict[str, bytes]:
    from django.db import connection

    dumps = {}
    with connection.cursor() as cursor:
        for table in tables:
            buffer = io.BytesIO()
            cursor.cursor.copy_expert(f"COPY {table} TO STDOUT", buffer)
            dumps[table] = buffer.getvalue()
    return dumps


def _truncate_households():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE households_household CASCADE")


@benchmark("household_import")
def bench_household_import(context: Context, households: int = 20_000, members_per_household: float = 3.5,
                           runs: int = 3):
    """Excel import of 20,000 households / 70,000 members, validation to commit, against PostgreSQL COPY.

    Both sides run ``runs`` times on an emptied table and the fastest run of each is compared (the COPY baseline
    alone varies by half between runs on this machine). The file is the one Excel or WPS would save
    (shared strings); the same rows written inline, as openpyxl's write-only export writes them, are timed once.
    """
    from django.db import connection, transaction

    from accounts.services import post_assign, user_create
    from households.imports.generator import demo_villages, write_household_file
    from households.imports.pipeline import collector_paused, import_workbook
    from households.imports.validation import validate_workbook
    from households.models import Household, Member
    from povalleviation.roles import Role
    from villages.models import Area

    path, inline_path = context.work_dir / "households.xlsx", context.work_dir / "households-inline.xlsx"
    for target, inline in ((path, False), (inline_path, True)):
        (written, seconds) = context.timed(write_household_file, target, households=households, inline_strings=inline,
                                           members_per_household=members_per_household, villages=demo_villages())
        print(f"生成文件{'（openpyxl 内联字符串）' if inline else '（共享字符串，同 Excel/WPS 保存）'}：{written[0]} 户、"
              f"{written[1]} 名成员，{target.stat().st_size / 1024 / 1024:.1f} MB，用时 {seconds:.1f} 秒")
    with transaction.atomic():
        user = user_create(actor=None, username="bench_importer", password="bench-not-used", validate=False)
        post_assign(actor=None, user=user, area=Area.objects.get(code="530427000000"), role=Role.VILLAGE_CADRE)
    source = path.read_bytes()

    def validate_only():
        with collector_paused():  # as the validation task runs it
            return validate_workbook(source=source, actor=user)

    (result, validate_seconds) = context.timed(validate_only)
    if not result.is_valid:
        for error in result.errors.sorted()[:20]:
            print("  ", error.line())
        raise SystemExit(f"生成的文件有 {len(result.errors)} 处错误")

    def import_once(data: bytes) -> float:
        _truncate_households()
        (outcome, seconds) = context.timed(import_workbook, source=data, actor=user)
        rows = Household.objects.count() + Member.objects.count()
        assert outcome.is_committed and rows == written[0] + written[1], (outcome.summary, rows)
        return seconds

    inline_seconds = import_once(inline_path.read_bytes())
    import_runs = [import_once(source) for _ in range(runs)]
    rows = written[0] + written[1]

    tables = ["households_household", "households_member"]
    dumps = _copy_tables(tables)
    copy_runs = []
    for _ in range(runs):
        _truncate_households()
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            for table in tables:
                cursor.cursor.copy_expert(f"COPY {table} FROM STDIN", io.BytesIO(dumps[table]))
        copy_runs.append(time.perf_counter() - started)
        assert Household.objects.count() + Member.objects.count() == rows

    import_seconds, copy_seconds = min(import_runs), min(copy_runs)
    import_rate, copy_rate = _rate(rows, import_seconds), _rate(rows, copy_seconds)
    ratio = import_rate / copy_rate

    def listed(values):
        return " / ".join(f"{value:.2f}" for value in values)

    print(f"行数：{rows}（{written[0]} 户 + {written[1]} 名成员）")
    print(f"仅校验（预览）       ：{validate_seconds:6.2f} 秒，{_rate(rows, validate_seconds):9.0f} 行/秒")
    print(f"Excel 导入 校验+写入 ：{import_seconds:6.2f} 秒，{import_rate:9.0f} 行/秒（{runs} 次中最快；各次 {listed(import_runs)} 秒）")
    print(f"PostgreSQL COPY 基线：{copy_seconds:6.2f} 秒，{copy_rate:9.0f} 行/秒（{runs} 次中最快；各次 {listed(copy_runs)} 秒）")
    print(f"速度比（导入/COPY）：{ratio:.3f}（目标 ≥ 0.25：{'达到' if ratio >= 0.25 else '未达到'}）")
    print(f"15 秒目标（校验+写入）：{'达到' if import_seconds <= 15 else '未达到'}")
    print(f"同一数据的内联字符串文件（openpyxl 导出格式）：{inline_seconds:.2f} 秒，速度比 {copy_seconds / inline_seconds:.3f}")
    print(f"网页流程合计（上传后预览校验 + 确认后复核并写入）：{validate_seconds + import_seconds:.2f} 秒")
    context.results["household_import"] = {"rows": rows, "import_seconds": import_seconds, "copy_seconds": copy_seconds,
                                           "validate_seconds": validate_seconds, "ratio": ratio,
                                           "inline_seconds": inline_seconds}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="povalleviation 性能基准（只打印结果，不判定失败）")
    parser.add_argument("names", nargs="*", help=f"要运行的基准（默认全部）：{', '.join(BENCHMARKS)}")
    parser.add_argument("--keep-database", action="store_true", help=f"结束后保留 {BENCH_DATABASE} 数据库")
    arguments = parser.parse_args(argv)
    unknown = [name for name in arguments.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"未知的基准：{', '.join(unknown)}")
    base_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    database_url = scratch_database(base_url)
    setup_django(database_url)
    try:
        with tempfile.TemporaryDirectory(prefix="pv-bench-") as work_dir:
            context = Context(work_dir=Path(work_dir), database_url=database_url)
            for name in arguments.names or list(BENCHMARKS):
                print(f"== {name} ==")
                BENCHMARKS[name](context)
    finally:
        from django.db import connections

        connections.close_all()
        if not arguments.keep_database:
            drop_database(base_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
