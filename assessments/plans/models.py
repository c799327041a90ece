"""Annual exit plans (年度脱贫计划) per area and year, and the base figures they start from (DOMAIN.md §5.12, §7).

A plan is entered by a leading-group office (``plan.edit``), approved by another holder of ``plan.edit``
at the same or a higher level, and is then locked: a change is a new version that references the one it
revises, and every version is kept. Figures left empty mean "not stated", which is not the same as 0.
"""
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from povalleviation.access import ScopedQuerySet
from villages.choices import AreaLevel

__all__ = ["ExitPlan", "ExitPlanBase", "ExitPlanStatus", "PLAN_FIGURES", "PLAN_LEVELS", "PERSONS_PER_WAN"]

PERSONS_PER_WAN = 10_000

# The figures of a plan, in the order pages and exports show them.
PLAN_FIGURES = ["households", "persons", "villages", "townships", "counties"]

# Areas a plan may belong to: the county and city leading-group offices plan for themselves and their
# children; a province or a township may carry one too (000 §附件2 plans by county under a city row).
PLAN_LEVELS = [AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWNSHIP]

# A figure only makes sense for an area that contains such units: no "villages" in a village plan etc.
_FIGURE_LEVELS = {
    "villages": {AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWNSHIP},
    "townships": {AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.COUNTY},
    "counties": {AreaLevel.PROVINCE, AreaLevel.CITY},
}
_FIGURE_LABELS = {"villages": "贫困村", "townships": "贫困乡", "counties": "贫困县"}


class ExitPlanStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    APPROVED = "approved", "已审批（锁定）"
    SUPERSEDED = "superseded", "已被新版本取代"


def _check_persons(instance, errors):
    """``persons_wan`` keeps a figure stated in 万人 at the seed's precision (0.01 万人); ``persons`` is the same in 人."""
    if instance.persons_wan is None:
        return
    exact = instance.persons_wan * PERSONS_PER_WAN
    if exact != exact.to_integral_value():
        errors["persons_wan"] = "万人数最多保留 2 位小数"
    elif instance.persons is None:
        instance.persons = int(exact)
    elif Decimal(instance.persons) != exact:
        errors["persons"] = f"人数 {instance.persons} 与 {instance.persons_wan} 万人不一致"


def _check_figure_levels(instance, area, errors):
    if area is None:
        return
    for name, levels in _FIGURE_LEVELS.items():
        if getattr(instance, name) is not None and area.level not in levels:
            errors[name] = f"{area.get_level_display()}级计划不能填写{_FIGURE_LABELS[name]}数"


class ExitPlanQuerySet(ScopedQuerySet):
    area_code_path = "area__code"

    def in_force(self):
        """The versions that count: the approved one, or the open draft while none is approved."""
        return self.filter(status__in=[ExitPlanStatus.APPROVED, ExitPlanStatus.DRAFT])


class ExitPlan(models.Model):
    """One version of an area's exit plan for one year (DOMAIN.md §5.12).

    Sources of the loaded plans: 新乡市 附件2 in 万人 (000_6ea9a56b91abd59f.txt §附件2), 焦作市 附表 in 人 and
    个 (001_5bc03b4b95b81c94.txt §附表, §一(三)2), 新平县 2018 target 630户2026人 (002_3c24fdc0372bba72.txt
    §一(二)). Persons stated in 万人 keep that figure in ``persons_wan`` (2 decimals in the seed) and the exact
    integer in ``persons`` (DOMAIN.md §7: fixtures keep the seed's precision).
    """

    area = models.ForeignKey("villages.Area", verbose_name="区域", on_delete=models.PROTECT, related_name="exit_plans")
    year = models.PositiveSmallIntegerField("计划年度")
    version = models.PositiveSmallIntegerField("版本", default=1)
    previous = models.OneToOneField(
        "self", verbose_name="修订自", null=True, blank=True, on_delete=models.PROTECT, related_name="revision"
    )
    status = models.CharField("状态", max_length=12, choices=ExitPlanStatus.choices, default=ExitPlanStatus.DRAFT)
    households = models.PositiveIntegerField("计划脱贫户数", null=True, blank=True)
    persons = models.PositiveIntegerField("计划脱贫人数", null=True, blank=True)
    persons_wan = models.DecimalField("计划脱贫人数（万人）", max_digits=8, decimal_places=2, null=True, blank=True)
    villages = models.PositiveIntegerField("计划退出贫困村数", null=True, blank=True)
    townships = models.PositiveIntegerField("计划摘帽贫困乡数", null=True, blank=True)
    counties = models.PositiveIntegerField("计划摘帽贫困县数", null=True, blank=True)
    source = models.CharField("依据文件", max_length=300, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    revision_reason = models.CharField("修订原因", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="最后修改人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ExitPlanQuerySet.as_manager()

    class Meta:
        verbose_name = "年度脱贫计划"
        verbose_name_plural = "年度脱贫计划"
        ordering = ["-year", "area__code", "version"]
        constraints = [
            models.UniqueConstraint(fields=["area", "year", "version"], name="exit_plan_version_unique"),
            # At most one approved and one open draft per area and year: "the plan in force" is well defined.
            models.UniqueConstraint(
                fields=["area", "year"], condition=Q(status="approved"), name="exit_plan_one_approved",
                violation_error_message="该区域该年度已有已审批的计划",
            ),
            models.UniqueConstraint(
                fields=["area", "year"], condition=Q(status="draft"), name="exit_plan_one_draft",
                violation_error_message="该区域该年度已有一份待审批的草稿",
            ),
            models.CheckConstraint(name="exit_plan_year_range", condition=Q(year__gte=2000, year__lte=2100)),
            models.CheckConstraint(
                name="exit_plan_approved_has_time", condition=~Q(status="approved") | Q(approved_at__isnull=False)
            ),
        ]
        indexes = [models.Index(fields=["year", "status"], name="exit_plan_year_status_idx")]

    def __str__(self):
        return f"{self.area} {self.year}年脱贫计划（第{self.version}版）"

    @property
    def is_locked(self) -> bool:
        return self.status != ExitPlanStatus.DRAFT

    def figures(self) -> dict:
        return {name: getattr(self, name) for name in PLAN_FIGURES}

    def clean(self):
        errors = {}
        _check_persons(self, errors)
        area = self.area if self.area_id else None
        if area is not None and area.level not in PLAN_LEVELS:
            errors["area"] = "脱贫计划只能按省、市、县、乡镇制定"
        _check_figure_levels(self, area, errors)
        if not errors and all(getattr(self, name) is None for name in PLAN_FIGURES):
            errors["__all__"] = "请至少填写一项计划数"
        if self.previous_id and (self.previous.area_id, self.previous.year) != (self.area_id, self.year):
            errors["previous"] = "修订必须针对同一区域、同一年度的计划"
        if errors:
            raise ValidationError(errors)


class ExitPlanBase(models.Model):
    """The base a multi-year plan starts from, and what had exited before it.

    新乡市: 2015年底建档立卡贫困人口 16.83 万人, plan years 2016–2019, goal 2020 (000_6ea9a56b91abd59f.txt §附件2,
    §二(二)); 焦作市: 2017年底基数 36252 人, 124 村, 7.6628 万人 and 66 村 exited since 2014
    (001_5bc03b4b95b81c94.txt §附表, §前言); 新平县: 630户2026人 unexited at end-2017, 2553户9261人, 32 村 and
    3 乡 exited by then (002_3c24fdc0372bba72.txt §前言). Years after ``base_year`` up to ``end_year`` without a
    plan row count as a plan of 0 (DOMAIN.md §7.7 I-3: 新乡 has no 2020 column, its 2020 plan is 0).
    """

    area = models.ForeignKey("villages.Area", verbose_name="区域", on_delete=models.PROTECT, related_name="exit_plan_bases")
    base_year = models.PositiveSmallIntegerField("基数年份（年底）")
    end_year = models.PositiveSmallIntegerField("规划期末年份")
    households = models.PositiveIntegerField("基数贫困户数", null=True, blank=True)
    persons = models.PositiveIntegerField("基数贫困人口", null=True, blank=True)
    persons_wan = models.DecimalField("基数贫困人口（万人）", max_digits=8, decimal_places=2, null=True, blank=True)
    villages = models.PositiveIntegerField("基数贫困村数", null=True, blank=True)
    townships = models.PositiveIntegerField("基数贫困乡数", null=True, blank=True)
    counties = models.PositiveIntegerField("基数贫困县数", null=True, blank=True)
    prior_exited_households = models.PositiveIntegerField("此前已脱贫户数", null=True, blank=True)
    prior_exited_persons = models.PositiveIntegerField("此前已脱贫人数", null=True, blank=True)
    prior_exited_villages = models.PositiveIntegerField("此前已退出贫困村数", null=True, blank=True)
    prior_exited_townships = models.PositiveIntegerField("此前已摘帽贫困乡数", null=True, blank=True)
    label = models.CharField("基数口径", max_length=100, blank=True)
    source = models.CharField("依据文件", max_length=300, blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "脱贫计划基数"
        verbose_name_plural = "脱贫计划基数"
        ordering = ["area__code", "base_year"]
        constraints = [
            models.UniqueConstraint(fields=["area", "base_year"], name="exit_plan_base_unique"),
            models.CheckConstraint(name="exit_plan_base_years", condition=Q(end_year__gt=models.F("base_year"))),
        ]

    def __str__(self):
        return f"{self.area} {self.base_year}年底基数"

    def figures(self) -> dict:
        return {name: getattr(self, name) for name in PLAN_FIGURES}

    def covers_year(self, year: int) -> bool:
        return self.base_year < year <= self.end_year

    def clean(self):
        errors = {}
        _check_persons(self, errors)
        _check_figure_levels(self, self.area if self.area_id else None, errors)
        if self.base_year and self.end_year and self.end_year <= self.base_year:
            errors["end_year"] = "规划期末年份必须晚于基数年份"
        if errors:
            raise ValidationError(errors)
