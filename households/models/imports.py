"""Excel import jobs: upload → validation (Celery, with progress) → preview of every error → confirm."""
from django.conf import settings
from django.db import models

from povalleviation.access import ScopedQuerySet


class ImportJobQuerySet(ScopedQuerySet):
    area_code_path = "area_code"


class ImportJob(models.Model):
    """One uploaded workbook. Nothing lands until the whole file validates and the uploader confirms;
    the commit is one transaction (all rows or none)."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "已上传"
        VALIDATING = "validating", "校验中"
        VALID = "valid", "校验通过，待确认"
        INVALID = "invalid", "校验未通过"
        COMMITTING = "committing", "导入中"
        COMMITTED = "committed", "已导入"
        FAILED = "failed", "导入失败"

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="import_jobs")
    area_code = models.CharField("上传人区域代码", max_length=15)
    file = models.FileField("文件", upload_to="imports/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.UPLOADED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    message = models.CharField("进度说明", max_length=200, blank=True)
    household_rows = models.PositiveIntegerField("户信息行数", default=0)
    member_rows = models.PositiveIntegerField("成员信息行数", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    errors = models.JSONField("错误明细", default=list, blank=True)
    summary = models.JSONField("导入结果", default=dict, blank=True)
    error_file = models.FileField("标注错误的文件", upload_to="imports/errors/%Y/%m/", null=True, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # A task that kills its worker is redelivered (acks_late + reject_on_worker_lost): each delivery of the
    # current step counts here, and past IMPORT_MAX_DELIVERIES the job fails instead of looping forever.
    attempts = models.PositiveSmallIntegerField("本步骤投递次数", default=0)
    # Moved on every status or progress change; a running job that stops moving is failed by the sweeper.
    updated_at = models.DateTimeField("最后进展时间", auto_now=True, db_index=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.original_name}（{self.get_status_display()}）"
