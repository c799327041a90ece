"""Retention of the audit trail: rows are kept at least 184 days, then archived to a signed file and removed.

The archive is a JSON-lines file:

1. a header line (format, cut-off date);
2. one line per event, ``{"event": {...}, "hash": H}``, where H = SHA-256(previous H + "\\n" + the event's
   canonical JSON) and the first previous H is the SHA-256 of the header line, so changing, removing or
   reordering any line breaks every later link;
3. a manifest line (count, first and last id, head hash = the last H).

``audit_archive_create`` writes the file, records an ``AuditArchive`` row with the file's SHA-256 and deletes
exactly the archived rows, in one transaction; the database trigger lets through only deletes of rows
covered by an archive row and older than 184 days. ``audit_archive_verify`` recomputes the chain.
"""
import datetime
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from povalleviation.digests import COMPACT, canonical_json
from povalleviation.errors import ApplicationError

from .models import AuditArchive, AuditEvent

RETENTION_DAYS = 184
FORMAT = "povalleviation.audit-archive.v1"
EVENT_FIELDS = ["id", "at", "actor_id", "username", "role", "action", "outcome", "summary", "object_type",
                "object_id", "area_code", "changes", "ip_address", "user_agent"]


def canonical(value) -> str:
    """One line of the archive: compact canonical JSON (the form is part of FORMAT; the hash chain depends on it)."""
    return canonical_json(value, COMPACT)


def link(previous_hash: str, event_text: str) -> str:
    return hashlib.sha256(f"{previous_hash}\n{event_text}".encode()).hexdigest()


def latest_allowed_before(today: datetime.date | None = None) -> datetime.date:
    """The latest cut-off date accepted: rows younger than 184 days are never archived."""
    return (today or timezone.localdate()) - datetime.timedelta(days=RETENTION_DAYS)


def _event_record(row: dict) -> dict:
    record = {name: row[name] for name in EVENT_FIELDS}
    record["at"] = row["at"].isoformat()
    return record


def _covering_area_code(codes: set[str]) -> str:
    """The smallest area containing every archived event's area (its auditors see the archiving event)."""
    from villages.models import Area

    codes = {code for code in codes if code}
    if not codes:
        return ""
    common = os.path.commonprefix(sorted(codes))
    candidates = Area.objects.filter(code__startswith=common[:2]) if len(common) >= 2 else Area.objects.none()
    best = None
    for area in candidates.only("code", "level"):
        if common.startswith(area.scope_prefix) and (best is None or len(area.scope_prefix) > len(best.scope_prefix)):
            best = area
    return best.code if best else ""


@dataclass
class ArchiveResult:
    archive: AuditArchive | None
    count: int


def audit_archive_create(*, before: datetime.date, output: Path, created_by: str = "") -> ArchiveResult:
    """Archive and remove the audit events older than ``before`` (which must be at least 184 days ago)."""
    from accounts.services import audit_record

    if before > latest_allowed_before():
        raise ApplicationError(
            f"只能归档保存满 {RETENTION_DAYS} 天的审计日志：截止日期不能晚于 {latest_allowed_before():%Y-%m-%d}。",
            field_errors={"before": "截止日期过晚"},
        )
    output = Path(output)
    if output.exists():
        raise ApplicationError(f"归档文件 {output} 已存在，不会覆盖。", field_errors={"output": "文件已存在"})
    cutoff = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
    header = {"type": "header", "format": FORMAT, "before": before.isoformat(),
              "created_at": timezone.now().isoformat(), "created_by": created_by}
    header_text = canonical(header)
    try:
        with transaction.atomic():
            rows = AuditEvent.objects.select_for_update().filter(at__lt=cutoff).order_by("id")
            count, first_id, last_id, head, areas = 0, None, None, hashlib.sha256(header_text.encode()).hexdigest(), set()
            file_hash = hashlib.sha256()
            with output.open("x", encoding="utf-8", newline="\n") as stream:
                def write(text):
                    stream.write(text + "\n")
                    file_hash.update((text + "\n").encode())

                write(header_text)
                for row in rows.values(*[name for name in EVENT_FIELDS]).iterator(chunk_size=2000):
                    event_text = canonical(_event_record(row))
                    head = link(head, event_text)
                    write(canonical({"event": json.loads(event_text), "hash": head}))
                    count += 1
                    first_id = row["id"] if first_id is None else first_id
                    last_id = row["id"]
                    areas.add(row["area_code"])
                write(canonical({"type": "manifest", "count": count, "first_id": first_id, "last_id": last_id,
                                 "head_hash": head, "before": before.isoformat()}))
                stream.flush()
                os.fsync(stream.fileno())
            if count == 0:
                output.unlink()
                return ArchiveResult(archive=None, count=0)
            archive = AuditArchive(before=before, first_id=first_id, last_id=last_id, event_count=count,
                                   head_hash=head, file_name=str(output)[:300], file_sha256=file_hash.hexdigest(),
                                   created_by=created_by[:150])
            archive.full_clean()
            archive.save()
            deleted, _ = AuditEvent.objects.filter(id__gte=first_id, id__lte=last_id, at__lt=cutoff).delete()
            if deleted != count:
                raise ApplicationError(f"归档时记录数发生变化（写入 {count} 条，删除 {deleted} 条），已撤销。")
            audit_record(
                actor=None, action="audit.archive", target=archive, area_code=_covering_area_code(areas),
                username=created_by,
                summary=f"归档审计日志 {count} 条（{before:%Y-%m-%d} 之前，编号 {first_id}–{last_id}），"
                        f"文件 SHA-256 {archive.file_sha256[:16]}…",
                changes={"file_name": archive.file_name, "file_sha256": archive.file_sha256, "head_hash": head,
                         "count": count, "first_id": first_id, "last_id": last_id},
            )
    except BaseException:
        if output.exists() and not AuditArchive.objects.filter(file_name=str(output)[:300]).exists():
            output.unlink()
        raise
    return ArchiveResult(archive=archive, count=count)


@dataclass
class VerifyResult:
    count: int
    first_id: int | None
    last_id: int | None
    head_hash: str
    file_sha256: str
    archive: AuditArchive | None


def audit_archive_verify(path: Path) -> VerifyResult:
    """Recompute the chain of an archive file; ApplicationError naming the first bad line."""
    path = Path(path)
    file_hash = hashlib.sha256()
    try:
        lines = path.read_bytes()
    except OSError as error:
        raise ApplicationError(f"无法读取归档文件 {path}：{error.strerror}") from error
    file_hash.update(lines)
    try:
        texts = lines.decode("utf-8").split("\n")
    except UnicodeDecodeError as error:
        raise ApplicationError("归档文件不是 UTF-8 文本，已被改动。") from error
    if texts and texts[-1] == "":
        texts.pop()
    if len(texts) < 2:
        raise ApplicationError("归档文件不完整：缺少文件头或清单行。")

    def parse(number, text):
        try:
            return json.loads(text)
        except ValueError as error:
            raise ApplicationError(f"第 {number} 行不是有效的 JSON，文件已被改动。") from error

    header = parse(1, texts[0])
    if not isinstance(header, dict) or header.get("type") != "header" or header.get("format") != FORMAT:
        raise ApplicationError("第 1 行不是审计日志归档的文件头。")
    head = hashlib.sha256(texts[0].encode()).hexdigest()
    count, first_id, last_id = 0, None, None
    for number, text in enumerate(texts[1:-1], start=2):
        line = parse(number, text)
        if not isinstance(line, dict) or not isinstance(line.get("event"), dict):
            raise ApplicationError(f"第 {number} 行不是审计记录，文件已被改动。")
        head = link(head, canonical(line["event"]))
        if line.get("hash") != head:
            raise ApplicationError(f"第 {number} 行的哈希链校验失败：该行或其之前的内容已被改动。")
        count += 1
        first_id = line["event"].get("id") if first_id is None else first_id
        last_id = line["event"].get("id")
    manifest = parse(len(texts), texts[-1])
    expected = {"type": "manifest", "count": count, "first_id": first_id, "last_id": last_id, "head_hash": head,
                "before": header.get("before")}
    if manifest != expected:
        raise ApplicationError("清单行与记录不符（条数、编号或哈希链末值），文件已被改动或不完整。")
    digest = file_hash.hexdigest()
    archive = AuditArchive.objects.filter(file_sha256=digest).first()
    return VerifyResult(count=count, first_id=first_id, last_id=last_id, head_hash=head, file_sha256=digest,
                        archive=archive)
