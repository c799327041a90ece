"""Help measures, 帮扶责任人 and their visits (DOMAIN.md §3.6–§3.8)."""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from households.choices import MeasureCategory, MeasureStatus, VisitKind
from povalleviation.access import ScopedQuerySet


class HouseholdChildQuerySet(ScopedQuerySet):
    area_code_path = "household__area_code"


class HelpMeasure(models.Model):
    """One concrete help measure for a household (or one of its members) in a year (DOMAIN.md §3.6)."""

    household = models.ForeignKey("households.Household", verbose_name="户", on_delete=models.CASCADE, related_name="measures")
    member = models.ForeignKey("households.Member", verbose_name="受益成员", null=True, blank=True, on_delete=models.SET_NULL)
    category = models.CharField("措施类别", max_length=20, choices=MeasureCategory.choices)
    measure = models.CharField("具体措施", max_length=200)
    year = models.PositiveSmallIntegerField("年度")
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2, default=Decimal("0"))
    fund_source = models.CharField("资金来源", max_length=100, blank=True)
    responsible_unit = models.CharField("责任单位", max_length=100, blank=True)
    status = models.CharField("状态", max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.IN_EFFECT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = HouseholdChildQuerySet.as_manager()

    class Meta:
        verbose_name = "帮扶措施"
        verbose_name_plural = "帮扶措施"
        ordering = ["household_id", "-year", "id"]
        constraints = [models.CheckConstraint(name="measure_amount_not_negative", condition=Q(amount__gte=0))]

    def __str__(self):
        return f"{self.get_category_display()}：{self.measure}"


class HelperQuerySet(ScopedQuerySet):
    area_code_path = "area__code"


class Helper(models.Model):
    """帮扶责任人: a cadre paired with poor households (000_6ea9a56b91abd59f.txt §六(二十四))."""

    name = models.CharField("姓名", max_length=50)
    unit = models.CharField("工作单位", max_length=100)
    position = models.CharField("职务", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    area = models.ForeignKey("villages.Area", verbose_name="所属区域", on_delete=models.PROTECT, related_name="helpers")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = HelperQuerySet.as_manager()

    class Meta:
        verbose_name = "帮扶责任人"
        verbose_name_plural = "帮扶责任人"
        ordering = ["name", "id"]

    def __str__(self):
        return f"{self.name}（{self.unit}）"


class HelperAssignment(models.Model):
    """A helper's pairing with a household, with dates (结对帮扶)."""

    helper = models.ForeignKey(Helper, verbose_name="帮扶责任人", on_delete=models.PROTECT, related_name="assignments")
    household = models.ForeignKey("households.Household", verbose_name="户", on_delete=models.CASCADE, related_name="helper_assignments")
    start_date = models.DateField("结对日期")
    end_date = models.DateField("结束日期", null=True, blank=True)

    objects = HouseholdChildQuerySet.as_manager()

    class Meta:
        verbose_name = "结对帮扶"
        verbose_name_plural = "结对帮扶"
        ordering = ["household_id", "-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["helper", "household"], condition=Q(end_date__isnull=True), name="assignment_one_open_per_pair"
            )
        ]

    def __str__(self):
        return f"{self.helper} → {self.household}"


class Visit(models.Model):
    """A visit to a household (入户走访). Default expectation: one per month per household, a warning only
    (DOMAIN.md §3.8, Q19 — no seed sets the helper frequency)."""

    household = models.ForeignKey("households.Household", verbose_name="户", on_delete=models.CASCADE, related_name="visits")
    helper = models.ForeignKey(Helper, verbose_name="帮扶责任人", null=True, blank=True, on_delete=models.SET_NULL)
    visitor_name = models.CharField("走访人", max_length=50)
    visited_on = models.DateField("走访日期")
    kind = models.CharField("方式", max_length=10, choices=VisitKind.choices, default=VisitKind.HOME)
    content = models.TextField("走访内容")
    problems = models.TextField("发现的问题", blank=True)
    photo = models.ImageField("照片", upload_to="visits/%Y/%m/", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = HouseholdChildQuerySet.as_manager()

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        ordering = ["household_id", "-visited_on", "-id"]

    def __str__(self):
        return f"{self.visited_on} {self.visitor_name}"

