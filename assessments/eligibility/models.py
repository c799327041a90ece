"""Results of the eligibility engine and the record of each recomputation run.

A result is advisory: it explains whether a household (or a village, or a county) meets the standard of a
year under the parameters in force, and never changes a status by itself (DOMAIN.md §5.1 step 1, §5.6).
"""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from assessments.eligibility.fields import ReasonCodesField
from povalleviation.access import ScopedQuerySet

__all__ = ["CriterionStatus", "EligibilityResult", "AreaEligibilityResult", "RecomputeRun"]


class CriterionStatus(models.TextChoices):
    PASS = "pass", "达标"
    FAIL = "fail", "未达标"
    UNKNOWN = "unknown", "无法判断"


class EligibilityResultQuerySet(ScopedQuerySet):
    area_code_path = "household__area_code"


def _text(value) -> str | None:
    return None if value is None else str(value)


class EligibilityResult(models.Model):
    """Whether a household meets the exit standard of a year: 人均纯收入 against that year's 脱贫标准
    (P-LN-02 with the comparator of P-EX-01, ⚠ national) and 两不愁三保障 plus 饮水安全 (P-EX-06:
    000_6ea9a56b91abd59f.txt §二(二); 003_4668418ac55f704e.txt §一.3; DOMAIN.md §3.4).

    ``reasons`` maps each criterion to its reason code, which fixes pass / fail / unknown
    (``assessments.eligibility.criteria.REASON_STATUS``). The values used are stored beside it: the income read,
    the counts from the members, the id of the 两不愁三保障 assessment read (assessments are never edited, so
    the id is a snapshot), the 住院费用 facts of the member with the highest self-pay ratio and, in
    ``parameter_version``, the ids of the parameter rows applied (rows are versioned, never changed in place).
    ``criteria`` (reasons plus the hospital facts under ``_hospital``) and ``data_fingerprint`` (MD5 of the
    facts) are derived from these columns. One current row per household and year, rewritten by each
    recomputation; each change of ``passed`` leaves its previous value in ``accounts.ValueChange``. Kept this narrow on purpose: the county recompute writes 100 000 of these per run.
    """

    # Derived rows, written 100 000 at a time by the engine from the households it reads in the same statement.
    # No database constraint: checking it at commit locks every household row (FOR KEY SHARE), which cost
    # about as much as computing the results (measured); Django still deletes a household's results with it.
    # No index of its own: the unique (household, year) index serves lookups by household.
    household = models.ForeignKey(
        "households.Household", verbose_name="户", on_delete=models.CASCADE, related_name="eligibility_results",
        db_constraint=False, db_index=False,
    )
    year = models.PositiveSmallIntegerField("年度")
    passed = models.BooleanField("达到脱贫标准", null=True, help_text="空值表示资料或参数不全，无法判断")
    reasons = ReasonCodesField("各项指标结论", default=dict)
    income_record_id = models.BigIntegerField("所用收入记录", null=True, blank=True)
    per_capita_income = models.DecimalField("人均纯收入", max_digits=12, decimal_places=2, null=True, blank=True)
    conditions_id = models.BigIntegerField("所用两不愁三保障评估", null=True, blank=True)
    members = models.PositiveSmallIntegerField("年末在户人数", default=0)
    uninsured = models.PositiveSmallIntegerField("未参保人数", default=0)
    school_age = models.PositiveSmallIntegerField("义务教育阶段人数", default=0)
    dropouts = models.PositiveSmallIntegerField("辍学人数", default=0)
    school_status_missing = models.PositiveSmallIntegerField("未填在校情况人数", default=0)
    # 住院费用 of the year (all empty when none is recorded): how many member rows, and the member with the
    # highest 住院自付比例 with the figures it was computed from.
    hospital_records = models.PositiveSmallIntegerField("住院费用记录数", null=True, blank=True)
    hospital_member_id = models.BigIntegerField("自付比例最高的成员", null=True, blank=True)
    hospital_ratio = models.DecimalField("住院自付比例（%）", max_digits=9, decimal_places=2, null=True, blank=True)
    hospital_self_paid = models.DecimalField("个人自付", max_digits=12, decimal_places=2, null=True, blank=True)
    hospital_total = models.DecimalField("住院总费用", max_digits=12, decimal_places=2, null=True, blank=True)
    parameter_version = models.CharField("所用参数（记录编号）", max_length=300, blank=True)
    computed_at = models.DateTimeField("计算时间")
    # When the household was first evaluated for the year; with the recorded changes of ``passed``
    # (``accounts.history``) a report rebuilds the results as they stood on a past day.
    first_computed_at = models.DateTimeField("首次计算时间")
    # A pointer to the run that last changed the row, without a database constraint or index: checking it cost
    # 0.45 s per 100 000 rows written (measured), and a run is a log entry (deleting one still nulls this via
    # Django, with a scan; runs are not deleted in normal use).
    run = models.ForeignKey(
        "assessments.RecomputeRun", verbose_name="重算批次", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="household_results", db_constraint=False, db_index=False,
    )

    objects = EligibilityResultQuerySet.as_manager()

    class Meta:
        verbose_name = "户脱贫标准评估"
        verbose_name_plural = "户脱贫标准评估"
        ordering = ["household_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="eligibility_household_year_unique"),
        ]

    def __str__(self):
        return f"{self.household_id} {self.year} 年脱贫标准评估"

    @property
    def parameter_ids(self) -> list[int]:
        return [int(i) for i in self.parameter_version.split(",") if i]

    @property
    def hospital(self) -> dict | None:
        """The hospital facts in the engine's shape (``engine.facts.hospital_facts``), None when none recorded."""
        if self.hospital_records is None:
            return None
        return {"records": self.hospital_records, "member_id": self.hospital_member_id,
                "ratio": _text(self.hospital_ratio), "self_paid": _text(self.hospital_self_paid),
                "total": _text(self.hospital_total)}

    @hospital.setter
    def hospital(self, facts: dict | None):
        facts = facts or {}
        self.hospital_records, self.hospital_member_id = facts.get("records"), facts.get("member_id")
        self.hospital_ratio, self.hospital_self_paid, self.hospital_total = (
            None if facts.get(key) is None else Decimal(facts[key]) for key in ("ratio", "self_paid", "total"))

    @property
    def criteria(self) -> dict:
        """Each criterion's reason code, and the hospital facts under ``_hospital`` when any."""
        from assessments.eligibility.criteria import HOSPITAL_KEY

        hospital = self.hospital
        return {**(self.reasons or {}), **({HOSPITAL_KEY: hospital} if hospital else {})}

    @criteria.setter
    def criteria(self, value: dict):
        from assessments.eligibility.criteria import HOSPITAL_KEY

        value = dict(value or {})
        self.hospital = value.pop(HOSPITAL_KEY, None)
        self.reasons = value

    @property
    def data_fingerprint(self) -> str:
        """MD5 of the facts the result was computed from (``criteria.facts_fingerprint``)."""
        from assessments.eligibility.criteria import facts_fingerprint

        return facts_fingerprint(
            income_id=self.income_record_id, income=self.per_capita_income, conditions_id=self.conditions_id,
            members=self.members, uninsured=self.uninsured, school_age=self.school_age, dropouts=self.dropouts,
            status_missing=self.school_status_missing, hospital=self.hospital)


class AreaEligibilityResultQuerySet(ScopedQuerySet):
    area_code_path = "area__code"


class AreaEligibilityResult(models.Model):
    """Whether a village (出列) or a county (摘帽) meets the standard of a year, from aggregates.

    Village: 贫困发生率 ≤ the cap (P-VL-01/02: 002_3c24fdc0372bba72.txt §一(二); ⚠ P-VL-03 national),
    村集体经济收入 ≥ the minimum (P-VL-04: 002_3c24fdc0372bba72.txt §一(二), §二(五)), 六通 and 卫生室 as
    indicators (P-VL-11/12: 001_5bc03b4b95b81c94.txt §二(一)1, §二(三)1). County: 贫困发生率 (⚠ P-VL-03,
    P-CT-01) and the share of poor villages exited (000_6ea9a56b91abd59f.txt §三(四), DOMAIN.md §5.4).
    """

    class Level(models.TextChoices):
        VILLAGE = "village", "贫困村退出"
        COUNTY = "county", "贫困县摘帽"

    area = models.ForeignKey(
        "villages.Area", verbose_name="区域", on_delete=models.CASCADE, related_name="eligibility_results"
    )
    level = models.CharField("类别", max_length=10, choices=Level.choices)
    year = models.PositiveSmallIntegerField("年度")
    passed = models.BooleanField("达到退出标准", null=True)
    criteria = models.JSONField("各项指标", default=dict)
    parameter_version = models.CharField("所用参数（记录编号）", max_length=300, blank=True)
    data_fingerprint = models.CharField("数据指纹", max_length=32)
    computed_at = models.DateTimeField("计算时间")
    run = models.ForeignKey(
        "assessments.RecomputeRun", verbose_name="重算批次", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="area_results",
    )

    objects = AreaEligibilityResultQuerySet.as_manager()

    class Meta:
        verbose_name = "区域退出标准评估"
        verbose_name_plural = "区域退出标准评估"
        ordering = ["area__code", "-year"]
        constraints = [models.UniqueConstraint(fields=["area", "year"], name="area_eligibility_area_year_unique")]

    def __str__(self):
        return f"{self.area} {self.year} 年{self.get_level_display()}评估"


class RecomputeRunQuerySet(ScopedQuerySet):
    area_code_path = "area__code"

    def active(self):
        return self.filter(status__in=[RecomputeRun.Status.QUEUED, RecomputeRun.Status.RUNNING])


class RecomputeRun(models.Model):
    """One recomputation: job, scope, year, the parameter rows used, counts and timing, so every published figure
    can be traced to when and how it was computed ("精准过硬考核", 000_6ea9a56b91abd59f.txt §三(四); progress
    reporting, 001_5bc03b4b95b81c94.txt §三(四); DOMAIN.md §6.2 "Recompute runs")."""

    class Job(models.TextChoices):
        ELIGIBILITY = "eligibility", "脱贫标准评估"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "计算中"
        SUCCEEDED = "succeeded", "已完成"
        FAILED = "failed", "失败"

    job = models.CharField("任务", max_length=20, choices=Job.choices, default=Job.ELIGIBILITY)
    area = models.ForeignKey("villages.Area", verbose_name="范围", on_delete=models.PROTECT, related_name="recompute_runs")
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField("触发方式", max_length=20, default="manual")
    parameter_version = models.CharField("所用参数（记录编号）", max_length=500, blank=True)
    total = models.PositiveIntegerField("待评估户数", default=0)
    evaluated = models.PositiveIntegerField("已评估户数", default=0)
    changed_count = models.PositiveIntegerField("结果有变化的户数", default=0)
    passed_count = models.PositiveIntegerField("达标户数", default=0)
    failed_count = models.PositiveIntegerField("未达标户数", default=0)
    unknown_count = models.PositiveIntegerField("无法判断户数", default=0)
    areas_evaluated = models.PositiveIntegerField("已评估村（县）数", default=0)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    error = models.TextField("错误信息", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    duration_seconds = models.FloatField("耗时（秒）", null=True, blank=True)

    objects = RecomputeRunQuerySet.as_manager()

    class Meta:
        verbose_name = "重算批次"
        verbose_name_plural = "重算批次"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="recompute_run_progress_range", condition=Q(progress__lte=100)),
            models.CheckConstraint(
                name="recompute_run_status_valid", condition=Q(status__in=["queued", "running", "succeeded", "failed"])
            ),
        ]

    def __str__(self):
        return f"{self.get_job_display()} {self.area} {self.year}（{self.get_status_display()}）"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
