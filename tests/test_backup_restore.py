"""Backups that have been restored: a drill on real PostgreSQL. Data is built through services (users, posts,
households, a quarterly report generated, reviewed and signed with the demo CA), backed up into one
age-encrypted archive, restored into a fresh database and an empty media folder, and compared: every table's row
count, the audit log, every media file's SHA-256, and the signed report still verifies. Also: refusals (no
recipient, non-empty target, tampered archive) and the rotation policy."""
import datetime
import hashlib
import io
import tarfile
import time
import uuid

import psycopg2
import pyrage
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from pyrage import x25519

from accounts.services import post_assign, user_create
from conftest import COUNTY, PASSWORD
from portal.backup import postgres
from portal.backup.archive import create_backup
from portal.backup.rotation import archives_to_keep
from povalleviation.roles import Role
from reports.management.commands.create_demo_signing_ca import create_demo_signing_files
from villages.models import Area

SIGNING_PASSWORD = "backup-drill-signing"


@pytest.fixture
def age_key(tmp_path):
    """An age key pair made for this test: the public key configured, the private key in a file."""
    identity = x25519.Identity.generate()
    key_file = tmp_path / "backup-key.txt"
    key_file.write_text(f"# public key: {identity.to_public()}\n{identity}\n", encoding="utf-8")
    return str(identity.to_public()), key_file


@pytest.fixture
def backup_settings(settings, tmp_path, age_key):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_AGE_RECIPIENTS = [age_key[0]]
    settings.BACKUP_PG_BIN_DIR = "/usr/bin"
    return settings


@pytest.fixture
def fresh_database():
    """A new, empty database on the test server (dropped afterwards); yields its URL and settings dict."""
    source = connection.settings_dict
    name = f"test_pa_b_restore_{uuid.uuid4().hex[:8]}"
    admin = postgres.connect(source)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    target = {**source, "NAME": name}
    auth = source["USER"] + (f":{source['PASSWORD']}" if source.get("PASSWORD") else "")
    url = f"postgres://{auth}@{source['HOST'] or '127.0.0.1'}:{source['PORT'] or 5432}/{name}"
    yield url, target
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _files_by_hash(root):
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _query(db, sql):
    conn = postgres.connect(db)
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    finally:
        conn.close()


def _signed_report(settings, tmp_path, areas, generator):
    from reports.generation import report_build
    from reports.services import report_generate, report_review, report_sign

    files = create_demo_signing_files(tmp_path / "signing", SIGNING_PASSWORD)
    settings.REPORT_SIGNING_DIR = files.directory
    settings.REPORT_SIGNING_PKCS12_PATH = str(files.pkcs12)
    settings.REPORT_SIGNING_PKCS12_PASSWORD = SIGNING_PASSWORD
    settings.REPORT_SIGNING_TRUST_ROOTS = [str(files.ca_pem)]
    reviewer = user_create(actor=None, username="office_reviewer", password=PASSWORD, full_name="王审核")
    post_assign(actor=None, user=reviewer, area=Area.objects.get(code=COUNTY), role=Role.LEADING_GROUP_OFFICE)
    report = report_generate(actor=generator, area=areas[COUNTY], year=2026, quarter=2)
    report_build(report.pk)
    report.refresh_from_db()
    report = report_review(actor=reviewer, report=report, note="数据核对无误")
    return report_sign(actor=generator, report=report)


def test_restore_drill(transactional_db, backup_settings, tmp_path, age_key, fresh_database, areas,
                       leading_group_staff, household_a, household_b, eager_tasks, capsys):
    from reports.verification import verify_pdf

    report = _signed_report(backup_settings, tmp_path, areas, leading_group_staff)
    attachment = backup_settings.MEDIA_ROOT / "uploads" / "走访记录.txt"
    attachment.parent.mkdir(parents=True)
    attachment.write_bytes("2026年12月走访李大户。".encode())
    source = connection.settings_dict
    source_counts = postgres.user_table_counts(source)
    last_audit = "SELECT * FROM accounts_auditevent ORDER BY id DESC LIMIT 1"
    source_audit = _query(source, last_audit)
    assert source_counts["accounts_auditevent"] > 0 and source_counts["households_household"] == 2

    started = time.monotonic()
    call_command("backup")
    backup_seconds = time.monotonic() - started
    archives = list(backup_settings.BACKUP_DIR.iterdir())
    assert len(archives) == 1 and archives[0].name.endswith(".tar.age")
    raw = archives[0].read_bytes()
    assert raw.startswith(b"age-encryption.org/v1") and "李大".encode() not in raw

    url, target = fresh_database
    restored_media = tmp_path / "restored-media"
    started = time.monotonic()
    call_command("restore", str(archives[0]), "--identity", str(age_key[1]), "--database-url", url,
                 "--media-root", str(restored_media))
    restore_seconds = time.monotonic() - started
    with capsys.disabled():
        print(f"\n备份 {backup_seconds:.2f} 秒，恢复 {restore_seconds:.2f} 秒（{sum(source_counts.values())} 行，"
              f"归档 {len(raw)} 字节）")

    assert postgres.user_table_counts(target) == source_counts
    assert _query(target, "SELECT count(*) FROM accounts_auditevent") == [(source_counts["accounts_auditevent"],)]
    assert _query(target, last_audit) == source_audit
    assert _files_by_hash(restored_media) == _files_by_hash(backup_settings.MEDIA_ROOT)
    row = _query(target, f"SELECT signed_pdf, signed_sha256, status FROM reports_quarterlyreport WHERE id = {report.pk}")
    assert row == [(report.signed_pdf.name, report.signed_sha256, "signed")]
    pdf = (restored_media / row[0][0]).read_bytes()
    assert hashlib.sha256(pdf).hexdigest() == report.signed_sha256
    assert verify_pdf(pdf).signature_ok
    # The append-only and signed-report triggers came back with the data.
    for statement in ["UPDATE accounts_auditevent SET summary = 'x'", "TRUNCATE accounts_auditevent CASCADE",
                      f"DELETE FROM reports_quarterlyreport WHERE id = {report.pk}"]:
        with pytest.raises(psycopg2.DatabaseError):
            _query(target, statement)


@pytest.fixture
def small_archive(transactional_db, backup_settings, areas, leading_group_staff):
    (backup_settings.MEDIA_ROOT / "reports").mkdir(parents=True)
    (backup_settings.MEDIA_ROOT / "reports" / "a.txt").write_bytes(b"media file")
    return create_backup().path


def test_restore_refuses_a_non_empty_target_unless_forced(small_archive, age_key, fresh_database, tmp_path):
    url, target = fresh_database
    restore = ["restore", str(small_archive), "--identity", str(age_key[1]), "--database-url", url]
    (tmp_path / "m0").mkdir()
    (tmp_path / "m0" / "other.txt").write_bytes(b"left from before")
    with pytest.raises(CommandError, match="媒体文件目录 .* 不是空的"):
        call_command(*restore, "--media-root", str(tmp_path / "m0"))
    assert postgres.user_table_counts(target) == {}
    call_command(*restore, "--media-root", str(tmp_path / "m1"))
    with pytest.raises(CommandError, match="目标数据库 .* 不是空的"):
        call_command(*restore, "--media-root", str(tmp_path / "m2"))
    call_command(*restore, "--media-root", str(tmp_path / "m0"), "--force")
    assert postgres.user_table_counts(target) == postgres.user_table_counts(connection.settings_dict)
    assert [p.name for p in (tmp_path / "m0").rglob("*") if p.is_file()] == ["a.txt"]


def test_restore_refuses_the_current_database(small_archive, age_key):
    with pytest.raises(CommandError, match="不是空的"):
        call_command("restore", str(small_archive), "--identity", str(age_key[1]))


def test_restore_refuses_a_tampered_archive(small_archive, age_key, fresh_database, tmp_path):
    url, target = fresh_database
    identity = x25519.Identity.from_str(age_key[1].read_text().splitlines()[1])
    plain = pyrage.decrypt(small_archive.read_bytes(), [identity])
    # A media file changed inside the archive, re-encrypted to the (public) recipient: the manifest catches it.
    rewritten = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(plain)) as original, tarfile.open(fileobj=rewritten, mode="w") as tar:
        for member in original:
            data = original.extractfile(member).read()
            if member.name == "media/reports/a.txt":
                data = b"MEDIA FILE"
            tar.addfile(member, io.BytesIO(data))
    forged = tmp_path / "povalleviation-20261207-100000.tar.age"
    forged.write_bytes(pyrage.encrypt(rewritten.getvalue(), [identity.to_public()]))
    restore = ["--identity", str(age_key[1]), "--database-url", url, "--media-root", str(tmp_path / "m")]
    with pytest.raises(CommandError, match="校验失败.*media/reports/a.txt"):
        call_command("restore", str(forged), *restore)
    # The wrong private key.
    other_key = tmp_path / "other-key.txt"
    other_key.write_text(f"{x25519.Identity.generate()}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="无法解密"):
        call_command("restore", str(small_archive), "--identity", str(other_key), *restore[2:])
    # One byte of the ciphertext flipped: age's authentication refuses it.
    damaged = bytearray(small_archive.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    forged.write_bytes(bytes(damaged))
    with pytest.raises(CommandError, match="无法解密"):
        call_command("restore", str(forged), *restore)
    assert postgres.user_table_counts(target) == {}
    assert not (tmp_path / "m").exists()


def test_backup_refuses_without_a_recipient_or_with_a_bad_one(settings, tmp_path):
    settings.BACKUP_AGE_RECIPIENTS = []
    settings.BACKUP_DIR = tmp_path / "backups"
    with pytest.raises(CommandError, match="未配置备份加密公钥"):
        call_command("backup")
    settings.BACKUP_AGE_RECIPIENTS = ["age1notakey"]
    with pytest.raises(CommandError, match="公钥无效"):
        call_command("backup")
    assert not any(settings.BACKUP_DIR.glob("povalleviation-*"))


def test_unencrypted_backup_warns(transactional_db, backup_settings, capsys):
    backup_settings.BACKUP_AGE_RECIPIENTS = []
    call_command("backup", "--unencrypted")
    assert "未加密" in capsys.readouterr().err
    (archive,) = backup_settings.BACKUP_DIR.glob("povalleviation-*.tar")
    with tarfile.open(archive) as tar:
        assert {"database.dump", "manifest.json"} <= set(tar.getnames())


def _name(moment):
    return f"povalleviation-{moment:%Y%m%d-%H%M%S}.tar.age"


def test_rotation_keeps_daily_weekly_and_monthly():
    # One archive every night at 01:00 for 400 days up to Monday 2026-12-07, plus a manual one that Monday.
    last = datetime.datetime(2026, 12, 7, 1)
    nightly = [last - datetime.timedelta(days=n) for n in range(400)]
    names = [_name(m) for m in nightly] + [_name(datetime.datetime(2026, 12, 7, 15)), "notes.txt"]
    keep = archives_to_keep(names, daily=7, weekly=4, monthly=12)
    expected_days = {_name(datetime.datetime(2026, 12, 7, 15))} | {
        _name(datetime.datetime(2026, 12, d, 1)) for d in range(1, 7)}
    # Weeks end on Sunday: the newest of the previous three weeks is that Sunday's.
    expected_weeks = {_name(datetime.datetime(2026, 12, 7, 15))} | {
        _name(datetime.datetime(2026, 12, 6, 1) - datetime.timedelta(weeks=w)) for w in range(3)}
    expected_months = {_name(datetime.datetime(2026, 12, 7, 15))} | {
        _name(datetime.datetime(y, m + 1, 1, 1) - datetime.timedelta(days=1))
        for y, m in [(2026, mo) for mo in range(1, 12)]}
    assert keep == expected_days | expected_weeks | expected_months
    assert _name(datetime.datetime(2026, 12, 7, 1)) not in keep  # the same day has a newer archive
    assert archives_to_keep(names, daily=0, weekly=0, monthly=0) == set()


def test_nightly_task_backs_up_then_rotates(transactional_db, backup_settings, areas):
    from portal.tasks import nightly_backup_task
    from povalleviation.celery import app

    assert backup_settings.CELERY_BEAT_SCHEDULE["nightly-backup"]["task"] == nightly_backup_task.name
    assert nightly_backup_task.name in app.tasks
    backup_settings.BACKUP_KEEP_DAILY, backup_settings.BACKUP_KEEP_WEEKLY = 3, 0
    backup_settings.BACKUP_KEEP_MONTHLY = 0
    backup_settings.BACKUP_DIR.mkdir()
    older = [_name(datetime.datetime(2026, 12, d, 1)) for d in range(1, 7)]
    for name in older:
        (backup_settings.BACKUP_DIR / name).write_bytes(b"old")
    result = nightly_backup_task.apply().get()
    assert sorted(p.name for p in backup_settings.BACKUP_DIR.iterdir()) == [*older[-2:], result["archive"]]
    assert result["deleted"] == older[:4]
