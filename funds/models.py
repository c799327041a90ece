"""The fund ledger: sources, allocations (下达), project funding, disbursements (报账), spend ratios.

Amounts are ``Decimal(14,2)`` yuan. Overspending is impossible at the database: allocations and project
fundings keep denormalised ``assigned_amount`` / ``disbursed_amount`` totals under CHECK constraints, updated
with ``F()`` inside transactions that lock the rows (``funds.services``).
"""
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from povalleviation.access import ScopedQuerySet
from projects.models import FundSource

from .choices import (
    AllocationMethod,
    DelayCause,
    DelayKind,
    DisbursementStatus,
    ResponsibleParty,
)


class AllocationQuerySet(ScopedQuerySet):
    area_code_path = "area_code"


class FundAllocation(models.Model):
    """Money of one source assigned to an area (county, township or village) for a fiscal year (资金下达).

    资金分配结果一律公开 (001_5bc03b4b95b81c94.txt §三(四); 004_c61319f7ee03391d.txt §五(十九)); 因素分配法
    (004 §五(十九)). ``assigned_amount`` (to projects) and ``disbursed_amount`` (vouchers not rejected) never
    exceed ``amount`` — database CHECK constraints.
    """

    source = models.ForeignKey(FundSource, verbose_name="资金来源", on_delete=models.PROTECT, related_name="allocations")
    area = models.ForeignKey("villages.Area", verbose_name="接收区域", on_delete=models.PROTECT,
                             related_name="fund_allocations")
    area_code = models.CharField("区划代码", max_length=15, editable=False)
    year = models.PositiveSmallIntegerField("资金年度")
    document_number = models.CharField("下达文号", max_length=100)
    allocated_on = models.DateField("下达日期")
    amount = models.DecimalField("下达金额（元）", max_digits=14, decimal_places=2)
    method = models.CharField("分配方式", max_length=10, choices=AllocationMethod.choices, default=AllocationMethod.FACTOR)
    note = models.CharField("备注", max_length=300, blank=True)
    published_on = models.DateField("分配结果公开日期", null=True, blank=True,
                                    help_text="资金分配结果一律公开；公开前不能报账（P-FD-08）")
    publication_place = models.CharField("公开方式或地点", max_length=200, blank=True)
    # Bumped by each change a user makes on the record (公开), so a save from a stale page is refused (409).
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    assigned_amount = models.DecimalField("已安排到项目（元）", max_digits=14, decimal_places=2, default=0,
                                          editable=False)
    disbursed_amount = models.DecimalField("已报账（元）", max_digits=14, decimal_places=2, default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = AllocationQuerySet.as_manager()

    class Meta:
        verbose_name = "资金下达"
        verbose_name_plural = "资金下达"
        ordering = ["-year", "area_code", "source__sort_order", "id"]
        indexes = [
            models.Index(fields=["area_code"], name="allocation_area_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["year", "area_code"], name="allocation_year_area_idx"),
        ]
        constraints = [
            models.CheckConstraint(name="allocation_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="allocation_assigned_within_amount",
                                   condition=Q(assigned_amount__gte=0) & Q(assigned_amount__lte=F("amount"))),
            models.CheckConstraint(name="allocation_disbursed_within_amount",
                                   condition=Q(disbursed_amount__gte=0) & Q(disbursed_amount__lte=F("amount"))),
            models.UniqueConstraint(fields=["source", "area", "year", "document_number"], name="allocation_unique_document"),
            models.CheckConstraint(name="allocation_published_after_allocated",
                                   condition=Q(published_on__isnull=True) | Q(published_on__gte=F("allocated_on"))),
        ]

    def __str__(self):
        return f"{self.year} {self.source} → {self.area}（{self.document_number}）"

    @property
    def remaining_amount(self):
        return self.amount - self.disbursed_amount

    @property
    def unassigned_amount(self):
        return self.amount - self.assigned_amount


class FundingQuerySet(ScopedQuerySet):
    area_code_path = "project__area_code"


class ProjectFunding(models.Model):
    """Part of an allocation arranged to a project (资金安排到项目). ``disbursed_amount`` ≤ ``amount`` (CHECK)."""

    allocation = models.ForeignKey(FundAllocation, verbose_name="资金下达", on_delete=models.PROTECT,
                                   related_name="fundings")
    project = models.ForeignKey("projects.Project", verbose_name="项目", on_delete=models.PROTECT, related_name="fundings")
    amount = models.DecimalField("安排金额（元）", max_digits=14, decimal_places=2)
    disbursed_amount = models.DecimalField("已报账（元）", max_digits=14, decimal_places=2, default=0, editable=False)
    created_at = models.DateTimeField("安排时间", auto_now_add=True)

    objects = FundingQuerySet.as_manager()

    class Meta:
        verbose_name = "项目资金安排"
        verbose_name_plural = "项目资金安排"
        ordering = ["allocation__source__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "project"], name="funding_unique_allocation_project"),
            models.CheckConstraint(name="funding_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="funding_disbursed_within_amount",
                                   condition=Q(disbursed_amount__gte=0) & Q(disbursed_amount__lte=F("amount"))),
        ]

    def __str__(self):
        return f"{self.project} ← {self.allocation.source}"

    @property
    def remaining_amount(self):
        return self.amount - self.disbursed_amount


class DisbursementQuerySet(ScopedQuerySet):
    area_code_path = "project_area_code"

    def counted(self):
        from .choices import COUNTED_STATUSES

        return self.filter(status__in=COUNTED_STATUSES)


class Disbursement(models.Model):
    """One payment settled against a voucher (报账): 专项专用、专资专审、专门账户、专人管理
    (000_6ea9a56b91abd59f.txt §三(四)); reviewed by the township, then the county (DOMAIN.md §5.9).

    ``source``, ``year`` and ``area_code`` (the allocation's receiving area) are copied from the allocation so
    the spend-ratio aggregates read one table; ``project_area_code`` scopes the row to the project's place.
    """

    funding = models.ForeignKey(ProjectFunding, verbose_name="资金安排", on_delete=models.PROTECT,
                                related_name="disbursements")
    allocation = models.ForeignKey(FundAllocation, verbose_name="资金下达", on_delete=models.PROTECT,
                                   related_name="disbursements")
    project = models.ForeignKey("projects.Project", verbose_name="项目", on_delete=models.PROTECT,
                                related_name="disbursements")
    source = models.ForeignKey(FundSource, verbose_name="资金来源", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("资金年度", editable=False)
    area_code = models.CharField("资金接收区划代码", max_length=15, editable=False)
    project_area_code = models.CharField("项目区划代码", max_length=15, editable=False)
    paid_on = models.DateField("支付日期")
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2)
    voucher_number = models.CharField("凭证号", max_length=60)
    payee = models.CharField("收款单位", max_length=100, blank=True)
    note = models.CharField("摘要", max_length=300, blank=True)
    status = models.CharField("审核状态", max_length=20, choices=DisbursementStatus.choices,
                              default=DisbursementStatus.RECORDED)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    township_reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="乡级审核人", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    county_reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="县级审核人", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    review_note = models.CharField("审核意见", max_length=300, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = DisbursementQuerySet.as_manager()

    class Meta:
        verbose_name = "资金报账"
        verbose_name_plural = "资金报账"
        ordering = ["-paid_on", "-id"]
        indexes = [
            models.Index(fields=["area_code"], name="disbursement_area_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["project_area_code"], name="disbursement_proj_prefix_idx",
                         opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["year", "paid_on"], name="disbursement_year_paid_idx"),
        ]
        constraints = [
            models.CheckConstraint(name="disbursement_amount_positive", condition=Q(amount__gt=0)),
            models.UniqueConstraint(fields=["allocation", "voucher_number"], name="disbursement_voucher_unique"),
            models.CheckConstraint(name="disbursement_status_valid", condition=Q(status__in=DisbursementStatus.values)),
        ]

    def __str__(self):
        return f"{self.voucher_number} {self.amount} 元"


class DelayQuerySet(ScopedQuerySet):
    area_code_path = "area_code"


class FundDelay(models.Model):
    """Why a project (and its money) is behind schedule, and who answers for it (P-FD-10, DOMAIN.md §4.3, §5.9
    "Delay record"): 因财政部门资金拨付不及时、不到位造成滞留延压 → 财政部门; 因项目实施不力、项目前期准备工作不充分
    → 项目主管部门和项目实施单位 (000_6ea9a56b91abd59f.txt §八(三十二)). The responsible party follows from the
    cause; ``delay_days`` is measured against the project's planned dates on ``recorded_on``."""

    project = models.ForeignKey("projects.Project", verbose_name="项目", on_delete=models.PROTECT, related_name="fund_delays")
    area_code = models.CharField("项目区划代码", max_length=15, editable=False)
    kind = models.CharField("延误类型", max_length=10, choices=DelayKind.choices)
    delay_days = models.PositiveIntegerField("延误天数")
    cause = models.CharField("延误原因", max_length=20, choices=DelayCause.choices)
    responsible_party = models.CharField("责任主体", max_length=20, choices=ResponsibleParty.choices, editable=False)
    responsible_unit = models.CharField("责任单位", max_length=100)
    note = models.CharField("情况说明", max_length=500)
    recorded_on = models.DateField("认定日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="认定人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = DelayQuerySet.as_manager()

    class Meta:
        verbose_name = "资金滞留延误认定"
        verbose_name_plural = "资金滞留延误认定"
        ordering = ["-recorded_on", "-id"]
        indexes = [models.Index(fields=["area_code"], name="fund_delay_area_prefix_idx", opclasses=["varchar_pattern_ops"])]
        constraints = [
            models.CheckConstraint(name="fund_delay_days_positive", condition=Q(delay_days__gt=0)),
            models.CheckConstraint(name="fund_delay_cause_valid", condition=Q(cause__in=DelayCause.values)),
        ]

    def __str__(self):
        return f"{self.project} 延误 {self.delay_days} 天：{self.get_cause_display()}"


class FundRecomputeRun(models.Model):
    """One recompute of spend ratios: when, scope, as-of, counts (DOMAIN.md §6.2 RecomputeRun)."""

    job = models.CharField("任务", max_length=40, default="spend_ratios")
    scope_code = models.CharField("范围区划代码", max_length=15)
    year = models.PositiveSmallIntegerField("资金年度")
    as_of = models.DateField("截至日期")
    trigger = models.CharField("触发方式", max_length=20)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    row_count = models.PositiveIntegerField("结果行数", default=0)
    disbursement_count = models.PositiveIntegerField("报账笔数", default=0)

    class Meta:
        verbose_name = "支出进度重算记录"
        verbose_name_plural = "支出进度重算记录"
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.scope_code} {self.year} 截至 {self.as_of}"


class SpendRatioQuerySet(ScopedQuerySet):
    area_code_path = "area__code"


class SpendRatio(models.Model):
    """Stored 支出进度 per area × year × source (``source`` empty = all sources) as of a date.

    支出进度 = Σ paid ÷ Σ allocated for the fiscal year (DOMAIN.md §6.2; 000_6ea9a56b91abd59f.txt §八(三十二);
    001_5bc03b4b95b81c94.txt §三(四); 报账率 004_c61319f7ee03391d.txt §五(十九), same computation, Q10).
    Written only by the set-based recompute (``funds.recompute``).
    """

    area = models.ForeignKey("villages.Area", verbose_name="区域", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("资金年度")
    source = models.ForeignKey(FundSource, verbose_name="资金来源", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    as_of = models.DateField("截至日期")
    allocated = models.DecimalField("下达（元）", max_digits=16, decimal_places=2)
    disbursed = models.DecimalField("已支出（元）", max_digits=16, decimal_places=2)
    run = models.ForeignKey(FundRecomputeRun, verbose_name="重算记录", on_delete=models.CASCADE, related_name="ratios")

    objects = SpendRatioQuerySet.as_manager()

    class Meta:
        verbose_name = "支出进度"
        verbose_name_plural = "支出进度"
        indexes = [models.Index(fields=["area", "year"], name="spend_ratio_area_year_idx")]

    def __str__(self):
        return f"{self.area_id} {self.year} {self.disbursed}/{self.allocated}"

    @property
    def ratio(self):
        return None if not self.allocated else self.disbursed / self.allocated


class FundImportBatch(models.Model):
    """An uploaded Excel of allocations and vouchers: validated in full first, committed all or nothing
    (ARCHITECTURE.md "Known traps": django-import-export commits valid rows of a file with errors)."""

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT,
                                    related_name="+")
    file_name = models.CharField("文件名", max_length=200)
    content = models.BinaryField("文件内容")
    errors = models.JSONField("错误", default=list)
    allocation_rows = models.PositiveIntegerField("下达行数", default=0)
    disbursement_rows = models.PositiveIntegerField("报账行数", default=0)
    is_committed = models.BooleanField("已导入", default=False)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "资金导入批次"
        verbose_name_plural = "资金导入批次"
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name
