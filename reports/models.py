"""Quarterly progress reports (季度进展报告, DOMAIN.md §6.3).

One report per area, quarter and version. Its figures are computed as of the quarter's last day and kept in
``snapshot`` before rendering, so the PDF and any later reading show the same numbers. A report moves
draft → reviewed (by another person) → signed (PAdES, pyHanko); a signed report is stored with the SHA-256
of the signed PDF and is never changed again — a correction is a new version that references the old one
(``supersedes``).
"""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from povalleviation.access import ScopedQuerySet


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    GENERATING = "generating", "生成中"
    FAILED = "failed", "生成失败"
    DRAFT = "draft", "待审核"
    REVIEWED = "reviewed", "已审核"
    SIGNED = "signed", "已签署"


class QuarterlyReportQuerySet(ScopedQuerySet):
    area_code_path = "area_code"


class QuarterlyReport(models.Model):
    """A quarterly progress report of one area (DOMAIN.md §6.3; 003_4668418ac55f704e.txt §五.25 季度通报)."""

    area = models.ForeignKey("villages.Area", verbose_name="区域", on_delete=models.PROTECT, related_name="reports")
    area_code = models.CharField("区划代码", max_length=15, editable=False)
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    as_of = models.DateField("数据截至")
    version = models.PositiveSmallIntegerField("版本", default=1)
    supersedes = models.OneToOneField(
        "self", verbose_name="更正的原报告", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    correction_reason = models.CharField("更正原因", max_length=300, blank=True)
    status = models.CharField("状态", max_length=12, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField("生成进度（%）", default=0)
    progress_message = models.CharField("进度说明", max_length=200, blank=True)
    error_message = models.TextField("错误信息", blank=True)
    # Last sign of life of the generation: set when it is queued (and re-queued); the queue sweeper sends a
    # report queued longer than QUEUE_UNSTARTED_MINUTES again.
    heartbeat_at = models.DateTimeField("最后排队/进展时间", null=True, blank=True)

    snapshot = models.JSONField("数据快照", default=dict, blank=True)
    snapshot_sha256 = models.CharField("快照摘要", max_length=64, blank=True)
    draft_pdf = models.FileField("草稿PDF", upload_to="reports/drafts/", blank=True)
    page_count = models.PositiveSmallIntegerField("页数", default=0)

    signed_pdf = models.FileField("签署版PDF", upload_to="reports/signed/", blank=True)
    signed_sha256 = models.CharField("签署版SHA-256", max_length=64, blank=True, db_index=True)
    verification_token = models.UUIDField("核验码", default=uuid.uuid4, unique=True, editable=False)

    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="编制人", on_delete=models.PROTECT,
                                     related_name="+")
    generated_at = models.DateTimeField("编制时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.CharField("审核意见", max_length=500, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签发人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField("签发时间", null=True, blank=True)
    signer_name = models.CharField("签发人姓名", max_length=100, blank=True)
    signer_unit = models.CharField("签发单位", max_length=200, blank=True)
    certificate_subject = models.CharField("签名证书主体", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = QuarterlyReportQuerySet.as_manager()

    class Meta:
        verbose_name = "季度进展报告"
        verbose_name_plural = "季度进展报告"
        ordering = ["-year", "-quarter", "area_code", "-version"]
        indexes = [
            models.Index(fields=["area_code"], name="report_area_prefix_idx", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["area", "year", "quarter", "version"], name="report_one_per_version"),
            models.CheckConstraint(name="report_quarter_1_to_4", condition=Q(quarter__gte=1) & Q(quarter__lte=4)),
            models.CheckConstraint(
                name="report_signed_has_hash",
                condition=~Q(status="signed") | (~Q(signed_sha256="") & Q(signed_at__isnull=False)),
            ),
        ]

    def __str__(self):
        return f"{self.area.name}{self.year}年第{self.quarter}季度进展报告（第{self.version}版）"

    @property
    def period_label(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def is_signed(self) -> bool:
        return self.status == ReportStatus.SIGNED
