"""The life of an ImportJob: upload → validation (Celery) → preview → confirm → commit (Celery).

The tasks in ``households/tasks.py`` call ``run_validation`` and ``run_commit``; both take the job id, are
idempotent (a job only moves forward from the state the step expects) and survive a retry: validation
writes nothing but the job, and the commit is one transaction that re-validates the file against the
database as it is at that moment.

A task that kills its worker (memory, abort) is redelivered by the broker (``acks_late`` +
``reject_on_worker_lost``). Each delivery of a step is counted on the job (``start_delivery``) before any
work; past ``IMPORT_MAX_DELIVERIES`` the job fails with a message the page shows, and the uploader can
upload again. ``fail_stale_jobs`` (Celery beat) fails running jobs that have not moved for
``IMPORT_STALE_MINUTES`` after a delivery (a worker killed mid-step); a step whose task never started is sent
again by ``requeue_unstarted_jobs`` (the queue sweeper). Neither ever writes a household: the
commit is one transaction, and a killed commit rolls back.
"""
import io
import logging
import uuid
import zipfile
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.services import audit_record
from households.models import ImportJob
from povalleviation.access import ROLE_CAPABILITIES, Capability, require
from povalleviation.errors import ApplicationError, Conflict
from povalleviation.queue import send_now, send_on_commit

from .errorfile import marked_workbook
from .pipeline import collector_paused, import_workbook, validate_source

logger = logging.getLogger(__name__)

# The two steps' tasks (households.tasks), sent by name: the tasks run this module's steps.
VALIDATE_TASK = "households.validate_import"
COMMIT_TASK = "households.commit_import"

Status = ImportJob.Status
RUNNING = (Status.UPLOADED, Status.VALIDATING, Status.COMMITTING)
VALIDATION_STATES = (Status.UPLOADED, Status.VALIDATING)
COMMIT_STATES = (Status.COMMITTING,)
REDELIVERED_MESSAGE = "处理该文件时后台进程多次异常退出，已停止处理；请检查文件后重新上传"
STALE_MESSAGE = "后台处理超过 {minutes} 分钟没有进展，已停止处理，未导入任何数据；请重新上传"
# The marked workbook is made with openpyxl, which holds every cell of the file: 93 MB of sheet XML (190,000
# rows of single spaces) take 76 s and 700 MB. A template row is under 1 KB of sheet XML; a file whose sheets
# are far larger than its data rows (cells of spaces, formatting) gets the error list without the marked copy.
MARKED_FILE_FLOOR_BYTES = 16 * 1024 * 1024
MARKED_FILE_BYTES_PER_ROW = 8 * 1024


def import_area_code(user) -> str:
    """The area of the uploader's first post granting ``household.import`` (the job's scope)."""
    for post in user.active_posts():
        if Capability.HOUSEHOLD_IMPORT in ROLE_CAPABILITIES.get(post.role, ()):
            return post.area.code
    return ""


def _set(job_id, **fields):
    if "message" in fields:
        fields["message"] = fields["message"][:200]
    ImportJob.objects.filter(pk=job_id).update(updated_at=timezone.now(), **fields)


def start_delivery(job_id: int, states: tuple, *, retries: int = 0) -> bool:
    """Count one delivery of a step, before any work; False when the task must not process the job.

    The count goes up with one conditional UPDATE in its own transaction, so it is recorded even if this
    delivery then kills its worker. Celery's own retries (a lost database connection) do not use up the
    budget; redeliveries after a worker died do. A job no longer in ``states`` is left as it is (the task
    is a duplicate or the job was already failed)."""
    allowed = settings.IMPORT_MAX_DELIVERIES + retries
    now = timezone.now()
    with transaction.atomic():
        counted = ImportJob.objects.filter(pk=job_id, status__in=states, attempts__lt=allowed).update(
            attempts=F("attempts") + 1, updated_at=now)
    if counted:
        return True
    with transaction.atomic():
        failed = ImportJob.objects.filter(pk=job_id, status__in=states, attempts__gte=allowed).update(
            status=Status.FAILED, progress=100, finished_at=now, updated_at=now, message=REDELIVERED_MESSAGE)
    if failed:
        logger.error("import job %s failed: delivered %s times without finishing", job_id, allowed)
    return False


def fail_stale_jobs(*, minutes: int | None = None) -> int:
    """Fail every running job that has not moved for ``minutes`` (default IMPORT_STALE_MINUTES); idempotent.

    A commit still running holds its job row locked: the UPDATE waits for its transaction to end, and a
    commit that wrote its rows has left the running states by then, so it is not failed after the fact."""
    minutes = settings.IMPORT_STALE_MINUTES if minutes is None else minutes
    now = timezone.now()
    # ``updated_at`` is the job's heartbeat: every delivery and every progress step moves it. A step that never
    # started (no delivery counted) is not stale but unsent: ``requeue_unstarted_jobs`` sends it again.
    stale = ImportJob.objects.filter(status__in=RUNNING, attempts__gt=0, updated_at__lt=now - timedelta(minutes=minutes))
    with transaction.atomic():
        count = stale.update(status=Status.FAILED, progress=100, finished_at=now, updated_at=now,
                             message=STALE_MESSAGE.format(minutes=minutes))
    if count:
        logger.error("failed %s import jobs that had not moved for %s minutes", count, minutes)
    return count


def requeue_unstarted_jobs(*, minutes: int) -> int:
    """Sweeper (``povalleviation.queue``): send again the step of every job queued for ``minutes`` whose task never
    started (no delivery counted, no heartbeat), e.g. because the send was lost while the broker was down.

    Sending again is safe: a step only runs on a job in the state it expects, so a late first message finds
    the job done and does nothing. Each re-send moves the heartbeat, so a job is sent at most once per period."""
    now = timezone.now()
    count = 0
    for state, task in ((Status.UPLOADED, VALIDATE_TASK), (Status.COMMITTING, COMMIT_TASK)):
        waiting = ImportJob.objects.filter(status=state, attempts=0, updated_at__lt=now - timedelta(minutes=minutes))
        for job_id in list(waiting.values_list("pk", flat=True)[:500]):
            if ImportJob.objects.filter(pk=job_id, status=state, attempts=0).update(updated_at=now):
                logger.warning("import job %s: %s never started, sending %s again", job_id, state, task)
                count += send_now(task, job_id)
    return count


def _progress(job_id):
    return lambda percent, message: _set(job_id, progress=percent, message=message)


def _delivered_job(job_id: int, states, statuses, retries: int) -> ImportJob | None:
    """The job a delivery of a step works on: None when ``start_delivery`` refuses this delivery or the job has
    moved on from ``statuses`` (or is gone)."""
    if not start_delivery(job_id, states, retries=retries):
        return None
    job = ImportJob.objects.select_related("uploaded_by").filter(pk=job_id).first()
    if job is None or job.status not in statuses:
        return None
    return job


def _source(job: ImportJob) -> bytes:
    with job.file.open("rb") as handle:
        return handle.read()


@transaction.atomic
def import_job_create(*, actor, uploaded_file) -> ImportJob:
    """Store the upload and queue its validation once the job row is committed."""
    require(actor, Capability.HOUSEHOLD_IMPORT)
    name = (getattr(uploaded_file, "name", "") or "").rsplit("/", 1)[-1]
    if not name.lower().endswith(".xlsx"):
        raise ApplicationError("请上传 .xlsx 格式的 Excel 文件（可先下载导入模板填写）", field_errors={"file": "仅支持 .xlsx 文件"})
    limit = settings.IMPORT_MAX_FILE_BYTES  # the same limit as the reader's and the command line's
    if uploaded_file.size > limit:
        message = f"文件过大（超过 {limit // 1024 // 1024} MB），请分批导入"
        raise ApplicationError(message, field_errors={"file": message})
    if uploaded_file.size == 0:
        raise ApplicationError("文件为空", field_errors={"file": "文件为空"})
    job = ImportJob(uploaded_by=actor, area_code=import_area_code(actor), original_name=name[:200],
                    status=Status.UPLOADED, message="已上传，等待校验…")
    job.file.save(f"{uuid.uuid4().hex}.xlsx", uploaded_file, save=False)
    job.save()
    audit_record(actor=actor, action="household.import_upload", target=job, area_code=job.area_code,
                 summary=f"上传建档立卡户导入文件 {job.original_name}", changes={"import_job": job.pk})
    send_on_commit(VALIDATE_TASK, job.pk)
    return job


def run_validation(job_id: int, *, retries: int = 0):
    """Check the whole file; keep every error and the marked workbook, or mark the job ready to confirm."""
    job = _delivered_job(job_id, VALIDATION_STATES, (Status.UPLOADED, Status.VALIDATING), retries)
    if job is None:
        return
    _set(job.pk, status=Status.VALIDATING, progress=1, message="开始校验…")
    source = _source(job)
    with collector_paused():
        result = validate_source(source=source, actor=job.uploaded_by, progress=_progress(job.pk))
    errors = result.errors.as_dicts()
    job.refresh_from_db()
    job.household_rows, job.member_rows = result.household_rows, result.member_rows
    job.error_count, job.errors = len(errors), errors
    job.progress, job.finished_at = 100, timezone.now()
    if errors:
        _set(job.pk, progress=95, message="正在生成标注错误的文件…")
        _store_error_file(job, source, errors, result.household_rows + result.member_rows)
        job.status = Status.INVALID
        job.message = f"校验未通过：共 {len(errors)} 处错误，未导入任何数据"
        job.summary = result.notes_summary()
    else:
        job.status = Status.VALID
        job.summary = result.preview_summary()
        history = job.summary["history_text"]
        job.message = (f"校验通过：{result.preview_text()}，成员 {result.member_rows} 人"
                       f"{f'；{history}' if history else ''}；请确认导入")
    job.save()


def _sheet_bytes(source: bytes) -> int:
    """The unpacked size of the file's worksheets, from the zip directory (nothing is unpacked)."""
    try:
        with zipfile.ZipFile(io.BytesIO(source)) as archive:
            return sum(info.file_size for info in archive.infolist() if info.filename.startswith("xl/worksheets/"))
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0


def _store_error_file(job: ImportJob, source: bytes, errors: list[dict], data_rows: int):
    """Keep the upload with its bad cells marked, when some error is at a row of a sheet and marking it costs
    about what its ``data_rows`` are worth.

    A file refused as a whole (too large unpacked, a cell past the row or column limit, not an .xlsx, a masked
    export) has no cell to mark, and loading it into openpyxl would cost what the guard refused it for: a
    million rows of spaces take a minute and most of a GB there. The error list says everything then."""
    if not any(error.get("row") for error in errors):
        return
    if _sheet_bytes(source) > max(MARKED_FILE_FLOOR_BYTES, data_rows * MARKED_FILE_BYTES_PER_ROW):
        logger.warning("import job %s: no marked workbook, the sheets are far larger than their %s data rows",
                       job.pk, data_rows)
        return
    content = marked_workbook(source, errors)
    if content is not None:
        job.error_file.save(f"{uuid.uuid4().hex}-errors.xlsx", ContentFile(content), save=False)


@transaction.atomic
def import_job_confirm(*, actor, job: ImportJob) -> ImportJob:
    """The uploader confirms a validated job; the commit runs once this transaction is committed."""
    require(actor, Capability.HOUSEHOLD_IMPORT, job.area_code)
    moved = ImportJob.objects.filter(pk=job.pk, uploaded_by=actor, status=Status.VALID).update(
        status=Status.COMMITTING, progress=0, attempts=0, updated_at=timezone.now(), message="已确认，正在排队写入…"
    )
    job.refresh_from_db()
    if not moved:
        raise Conflict(f"该导入任务当前状态为“{job.get_status_display()}”，不能确认导入")
    send_on_commit(COMMIT_TASK, job.pk)
    return job


def run_commit(job_id: int, *, retries: int = 0):
    """Re-validate and write in one transaction; a file that became invalid since the preview writes nothing."""
    job = _delivered_job(job_id, COMMIT_STATES, (Status.COMMITTING,), retries)
    if job is None:
        return
    _set(job.pk, progress=10, message="正在复核并写入数据库…")
    source = _source(job)
    try:
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.status != Status.COMMITTING:
                return
            outcome = import_workbook(source=source, actor=job.uploaded_by, job=locked)
            if outcome.is_committed:
                summary = outcome.summary
                _set(job.pk, status=Status.COMMITTED, progress=100, finished_at=timezone.now(),
                     summary={**summary, **outcome.result.notes_summary()},
                     message=(f"导入完成：新建 {summary['households_created']} 户，更新 {summary['households_updated']} 户，"
                              f"新增成员 {summary['members_created']} 人，修改成员 {summary['members_updated']} 人"
                              + (f"；{summary['history_text']}" if summary["history_text"] else "")))
                return
    except ApplicationError as error:
        _set(job.pk, status=Status.FAILED, progress=100, finished_at=timezone.now(), message=f"导入失败：{error.message}",
             **getattr(error, "job_fields", {}))  # e.g. the rows of an ``ImportConflict``
        return
    errors = outcome.result.errors.as_dicts()
    job.refresh_from_db()
    job.errors, job.error_count, job.status = errors, len(errors), Status.INVALID
    job.progress, job.finished_at = 100, timezone.now()
    job.message = f"写入前复核发现 {len(errors)} 处错误（数据在预览后有变化），未导入任何数据"
    _store_error_file(job, source, errors, outcome.result.household_rows + outcome.result.member_rows)
    job.save()


def mark_failed(job_id: int, message: str):
    logger.error("import job %s failed: %s", job_id, message)
    _set(job_id, status=Status.FAILED, progress=100, finished_at=timezone.now(), message=message)
