"""Writing a backup archive and reading one back.

The archive is a tar of ``database.dump`` (pg_dump custom format), ``media/…`` (every file under MEDIA_ROOT)
and ``manifest.json`` (last), encrypted with age to BACKUP_AGE_RECIPIENTS (``.tar.age``). Files are streamed
through the tar and hashed on the way; the tar is written to a temporary file next to the output and encrypted
from there in bounded memory, then moved into place, so a half-written archive never carries a final name.
"""
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pyrage
from django.conf import settings
from django.db import connections
from django.utils import timezone

from . import BackupError, postgres
from .keys import parse_recipients

ARCHIVE_PREFIX = "povalleviation-"
MANIFEST = "manifest.json"
DATABASE = "database.dump"
MEDIA = "media/"
CHUNK = 1024 * 1024


class HashingReader:
    """Reads a file for tarfile while computing its SHA-256."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _add_file(tar: tarfile.TarFile, source: Path, name: str) -> dict:
    with open(source, "rb") as handle:
        info = tarfile.TarInfo(name)
        info.size = os.fstat(handle.fileno()).st_size
        info.mtime = int(os.fstat(handle.fileno()).st_mtime)
        info.mode = 0o600
        reader = HashingReader(handle)
        tar.addfile(info, reader)
    return {"sha256": reader.digest.hexdigest(), "size": info.size}


def media_files(root: Path) -> list[tuple[Path, str]]:
    """Every regular file under ``root`` with its archive name (symbolic links are not followed)."""
    if not root.is_dir():
        return []
    found = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for filename in sorted(filenames):
            path = Path(directory) / filename
            if path.is_file() and not path.is_symlink():
                found.append((path, MEDIA + path.relative_to(root).as_posix()))
    return found


def app_version() -> dict:
    version = {"version": os.environ.get("APP_VERSION", "")}
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=settings.BASE_DIR, capture_output=True, text=True,
                              timeout=5)
        if done.returncode == 0:
            version["commit"] = done.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return version


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    seconds: float


def create_backup(*, output_dir: Path | None = None, recipients: list[str] | None = None,
                  unencrypted: bool = False, alias: str = "default") -> BackupResult:
    """Write one archive into ``output_dir`` (BACKUP_DIR); encrypted unless ``unencrypted``."""
    started = time.monotonic()
    recipients = settings.BACKUP_AGE_RECIPIENTS if recipients is None else recipients
    if not unencrypted and not recipients:
        raise BackupError("未配置备份加密公钥（BACKUP_AGE_RECIPIENTS），拒绝生成未加密的备份。"
                          "请设置一个或多个 age 公钥；仅在开发环境可用 --unencrypted。")
    age_recipients = [] if unencrypted else parse_recipients(recipients)
    output_dir = Path(output_dir or settings.BACKUP_DIR)
    db = connections[alias].settings_dict
    postgres.pg_environment(db)  # PostgreSQL only: refuse before anything is written
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"无法创建备份目录 {output_dir}：{error.strerror}") from error
    created = timezone.localtime()
    name = f"{ARCHIVE_PREFIX}{created:%Y%m%d-%H%M%S}.tar" + ("" if unencrypted else ".age")
    work = Path(tempfile.mkdtemp(prefix=".backup-", dir=output_dir))
    try:
        dump_path = work / DATABASE
        with postgres.exported_snapshot(alias) as (snapshot, counts, migrations):
            postgres.dump(db, str(dump_path), snapshot)
        tar_path = work / "archive.tar"
        parts = {}
        with tarfile.open(tar_path, "w", format=tarfile.PAX_FORMAT) as tar:
            parts[DATABASE] = _add_file(tar, dump_path, DATABASE)
            dump_path.unlink()
            for source, member in media_files(Path(settings.MEDIA_ROOT)):
                parts[member] = _add_file(tar, source, member)
            manifest = {
                "format": 1,
                "created_at": created.isoformat(),
                "database": db["NAME"],
                "encrypted": not unencrypted,
                "app": app_version(),
                "migrations": migrations,
                "row_counts": counts,
                "parts": parts,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(created.timestamp()), 0o600
            tar.addfile(info, _BytesReader(data))
        final_tmp = work / name
        if unencrypted:
            tar_path.rename(final_tmp)
        else:
            pyrage.encrypt_file(str(tar_path), str(final_tmp), age_recipients)
        os.chmod(final_tmp, 0o600)
        os.replace(final_tmp, output_dir / name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return BackupResult(path=output_dir / name, manifest=manifest, seconds=time.monotonic() - started)


class _BytesReader:
    def __init__(self, data: bytes):
        self.data, self.offset = data, 0

    def read(self, size=-1):
        end = len(self.data) if size is None or size < 0 else self.offset + size
        chunk, self.offset = self.data[self.offset:end], min(end, len(self.data))
        return chunk


def _safe_member(name: str) -> bool:
    path = Path(name)
    return not path.is_absolute() and ".." not in path.parts and (name in (MANIFEST, DATABASE) or name.startswith(MEDIA))


def unpack_verified(archive: Path, identities: list, work: Path) -> tuple[dict, Path]:
    """Decrypt ``archive`` into ``work`` and extract it, hashing every part; refuses (BackupError) unless every
    part is listed in the manifest with the same SHA-256 and size and every listed part is present.
    Returns (manifest, extracted directory)."""
    tar_path = archive
    if archive.name.endswith(".age"):
        tar_path = work / "archive.tar"
        try:
            pyrage.decrypt_file(str(archive), str(tar_path), identities)
        except (pyrage.DecryptError, OSError) as error:  # streamed decryption reports damage as OSError
            raise BackupError("无法解密备份文件：私钥与加密公钥不匹配，或文件已损坏。") from error
    extracted = work / "extracted"
    found = {}
    manifest_data = None
    try:
        with tarfile.open(tar_path, "r:") as tar:
            for member in tar:
                if not member.isfile() or not _safe_member(member.name):
                    raise BackupError(f"备份文件中有不应出现的内容（{member.name}），拒绝恢复。")
                source = tar.extractfile(member)
                if member.name == MANIFEST:
                    manifest_data = source.read()
                    continue
                target = extracted / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with open(target, "wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                found[member.name] = {"sha256": digest.hexdigest(), "size": size}
    except (tarfile.TarError, EOFError) as error:
        raise BackupError("备份文件已损坏，无法读取其中的内容。") from error
    if tar_path != archive:
        tar_path.unlink()
    if manifest_data is None:
        raise BackupError("备份文件中没有清单（manifest.json），拒绝恢复。")
    try:
        manifest = json.loads(manifest_data)
        expected = manifest["parts"]
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError("备份清单无法解析，拒绝恢复。") from error
    problems = [f"{name}：与清单中的 SHA-256 或大小不一致" for name in sorted(found)
                if name in expected and found[name] != {k: expected[name].get(k) for k in ("sha256", "size")}]
    problems += [f"{name}：清单中没有" for name in sorted(set(found) - set(expected))]
    problems += [f"{name}：备份中缺少" for name in sorted(set(expected) - set(found))]
    if problems:
        raise BackupError("备份文件校验失败，拒绝恢复：" + "；".join(problems[:10]))
    return manifest, extracted
