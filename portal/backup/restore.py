"""Restoring an archive: decrypt, verify every part against the manifest, then load the dump into an empty
database (pg_restore) and the media files into an empty folder, and check the row counts against the manifest."""
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections

from . import BackupError, postgres
from .archive import DATABASE, MEDIA, unpack_verified


@dataclass
class RestoreResult:
    manifest: dict
    database: str
    media_root: Path
    media_files: int
    seconds: float


def _media_is_empty(root: Path) -> bool:
    return not root.exists() or not any(root.iterdir())


def _clear(root: Path) -> None:
    for child in root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def restore_backup(archive: str | Path, *, identities: list, database_url: str | None = None,
                   media_root: str | Path | None = None, force: bool = False,
                   work_dir: str | Path | None = None) -> RestoreResult:
    """Restore ``archive`` into the database of settings (or ``database_url``) and MEDIA_ROOT (or
    ``media_root``). Both must be empty unless ``force``: then the database's tables are replaced and the
    folder's files removed first."""
    started = time.monotonic()
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"找不到备份文件：{archive}")
    if archive.name.endswith(".age") and not identities:
        raise BackupError("该备份已加密：请用 --identity 指定 age 私钥文件。")
    db = postgres.settings_from_url(database_url) if database_url else dict(connections["default"].settings_dict)
    postgres.pg_environment(db)  # PostgreSQL only
    media_root = Path(media_root or settings.MEDIA_ROOT)
    # Refuse early, before the archive is even decrypted.
    existing = postgres.user_table_counts(db)
    if existing and not force:
        raise BackupError(f"目标数据库 {db['NAME']} 不是空的（已有 {len(existing)} 张表），拒绝恢复；"
                          "确需覆盖请加 --force。")
    if not _media_is_empty(media_root) and not force:
        raise BackupError(f"媒体文件目录 {media_root} 不是空的，拒绝恢复；确需覆盖请加 --force。")
    work = Path(tempfile.mkdtemp(prefix="povalleviation-restore-", dir=work_dir))
    try:
        manifest, extracted = unpack_verified(archive, identities, work)
        postgres.restore(db, str(extracted / DATABASE), clean=bool(existing))
        restored = postgres.user_table_counts(db)
        expected = manifest.get("row_counts", {})
        differing = sorted(t for t in expected if restored.get(t) != expected[t])
        if differing:
            raise BackupError("恢复后的行数与备份清单不一致：" + "、".join(differing[:10]))
        media_root.mkdir(parents=True, exist_ok=True)
        if force:
            _clear(media_root)
        count = 0
        source_root = extracted / MEDIA.rstrip("/")
        if source_root.is_dir():
            for source in sorted(p for p in source_root.rglob("*") if p.is_file()):
                target = media_root / source.relative_to(source_root)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(source, target)
                count += 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return RestoreResult(manifest=manifest, database=db["NAME"], media_root=media_root, media_files=count,
                         seconds=time.monotonic() - started)
