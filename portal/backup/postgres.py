"""PostgreSQL side of backups: connection parameters, a consistent snapshot (row counts and migration state
read in the same snapshot that pg_dump exports), pg_dump / pg_restore, and the empty-database check."""
import os
import shutil
import subprocess
from contextlib import contextmanager

import dj_database_url
import psycopg2
from django.conf import settings
from django.db import connections, transaction

from . import BackupError


def pg_tool(name: str) -> str:
    """Path of pg_dump / pg_restore: BACKUP_PG_BIN_DIR if set, else the one on PATH."""
    directory = settings.BACKUP_PG_BIN_DIR
    path = os.path.join(directory, name) if directory else shutil.which(name)
    if not path or not os.access(path, os.X_OK):
        raise BackupError(f"找不到 PostgreSQL 工具 {name}：请安装 PostgreSQL 客户端，或设置 BACKUP_PG_BIN_DIR。")
    return path


def settings_from_url(url: str) -> dict:
    return dj_database_url.parse(url)


def pg_environment(db: dict) -> dict:
    """Environment for pg_dump/pg_restore from a Django database settings dict (the password never on argv)."""
    # Django's own backend or a wrapper of it (django-prometheus counts queries through its own engine module).
    if not db.get("ENGINE", "").endswith("backends.postgresql"):
        raise BackupError("备份与恢复只支持 PostgreSQL 数据库（当前配置不是 PostgreSQL）。")
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    for key, name in [("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"),
                      ("NAME", "PGDATABASE")]:
        if db.get(key):
            env[name] = str(db[key])
    return env


def connect(db: dict):
    return psycopg2.connect(dbname=db["NAME"], user=db.get("USER") or None, password=db.get("PASSWORD") or None,
                            host=db.get("HOST") or None, port=db.get("PORT") or None)


def table_counts(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


USER_TABLES = (
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%'"
)


def migration_state(cursor) -> dict[str, list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, id")
    state: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        state.setdefault(app, []).append(name)
    return state


@contextmanager
def exported_snapshot(alias: str = "default"):
    """A read-only repeatable-read transaction on ``alias``; yields (snapshot id, row counts, migration state)
    read inside it. pg_dump run with ``--snapshot`` while this is open sees exactly the same data."""
    connection = connections[alias]
    if connection.in_atomic_block:
        raise BackupError("备份不能在数据库事务中进行。")
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        cursor.execute(USER_TABLES)
        counts = table_counts(cursor, [row[0] for row in cursor.fetchall()])
        yield snapshot, counts, migration_state(cursor)


def run(command: list[str], env: dict, what: str) -> None:
    """Run a PostgreSQL tool; its stderr (English, technical) goes into the error after a Chinese lead."""
    done = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise BackupError(f"{what}失败（退出码 {done.returncode}）：{done.stderr.strip()[-2000:]}")


def dump(db: dict, path: str, snapshot: str | None) -> None:
    command = [pg_tool("pg_dump"), "--format=custom", "--no-password", f"--file={path}"]
    if snapshot:
        command.append(f"--snapshot={snapshot}")
    run(command, pg_environment(db), "数据库导出（pg_dump）")


def restore(db: dict, path: str, *, clean: bool) -> None:
    """pg_restore into ``db``: no owners and no grants (the application role is granted afterwards with
    ``grant_app_role``), one transaction, stopping at the first error. Triggers are created after the data is
    loaded (post-data section), so the append-only triggers never see the loading."""
    command = [pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
               "--no-password", f"--dbname={db['NAME']}"]
    if clean:
        command += ["--clean", "--if-exists"]
    run(command + [path], pg_environment(db), "数据库恢复（pg_restore）")


def user_table_counts(db: dict) -> dict[str, int]:
    """Row count of every table in ``db`` (empty dict: the database holds no table)."""
    with connect(db) as conn, conn.cursor() as cursor:
        cursor.execute(USER_TABLES)
        counts = table_counts(cursor, [row[0] for row in cursor.fetchall()])
    conn.close()
    return counts
