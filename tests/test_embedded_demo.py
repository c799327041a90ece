"""`make run`'s default: the embedded SQLite database with eager tasks takes the migrations and the demo data,
including the demo county's eligibility recompute (the Python path, as SQLite has no set-based one)."""
import sqlite3

from tests.test_settings_production import run_django


def test_demo_loads_into_the_embedded_database(tmp_path):
    database = tmp_path / "demo.sqlite3"
    variables = {"DATABASE_URL": f"sqlite:///{database}", "CELERY_TASK_ALWAYS_EAGER": "1",
                 "MEDIA_ROOT": str(tmp_path / "media")}
    for command in (["migrate", "-v0"], ["load_demo"]):
        result = run_django(["manage.py", *command], **variables)
        assert result.returncode == 0, result.stderr[-3000:]
    assert "演示数据就绪" in result.stdout
    with sqlite3.connect(database) as db:
        runs = db.execute("SELECT status, evaluated FROM assessments_recomputerun").fetchall()
        households = db.execute("SELECT count(*) FROM households_household WHERE status <> 'removed'").fetchone()[0]
    assert runs and households
    assert {status for status, _ in runs} == {"succeeded"}
    assert all(evaluated == households for _, evaluated in runs)
