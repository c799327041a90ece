"""Per-year facts of a household: income (DOMAIN.md §3.3) and 两不愁三保障 (§3.4).

Each year has its own row, so editing this year never changes a past year's figures.
"""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from households.choices import UNSAFE_GRADES, HousingGrade
from households.money import per_head
from povalleviation.access import ScopedQuerySet


class YearlyQuerySet(ScopedQuerySet):
    area_code_path = "household__area_code"


def money(label):
    return models.DecimalField(label, max_digits=12, decimal_places=2, default=Decimal("0"))


class IncomeRecord(models.Model):
    """Household income of one year, by component; 人均纯收入 is derived by the service that saves it.

    家庭纯收入 = 工资性 + 生产经营性 − 生产经营性支出 + 财产性 + 转移性; 人均 = ÷ 在户人数, 四舍五入 to the fen
    (``households.money.per_head``: 1001 元 ÷ 8 = 125.13)
    (DOMAIN.md §3.3; components per 000_6ea9a56b91abd59f.txt §三(八), §三(十三); 002 §二(一)).
    """

    household = models.ForeignKey("households.Household", verbose_name="户", on_delete=models.CASCADE, related_name="income_records")
    year = models.PositiveSmallIntegerField("年度")
    wage_income = money("工资性收入")
    production_income = money("生产经营性收入")
    production_expense = money("生产经营性支出")
    property_income = money("财产性收入")
    transfer_income = money("转移性收入")
    dibao_income = money("其中：低保金")
    pension_income = money("其中：养老金")
    eco_compensation_income = money("其中：生态补偿金")
    member_count = models.PositiveSmallIntegerField("计算人数")
    net_income = models.DecimalField("家庭纯收入", max_digits=12, decimal_places=2, editable=False)
    per_capita_net_income = models.DecimalField("人均纯收入", max_digits=12, decimal_places=2, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField("登记时间", auto_now=True)

    objects = YearlyQuerySet.as_manager()

    class Meta:
        verbose_name = "年度收入"
        verbose_name_plural = "年度收入"
        ordering = ["household_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="income_household_year_unique"),
            models.CheckConstraint(name="income_member_count_positive", condition=Q(member_count__gte=1)),
        ]

    def __str__(self):
        return f"{self.household_id} {self.year} 年收入"

    def compute(self):
        self.net_income = (
            self.wage_income + self.production_income - self.production_expense + self.property_income + self.transfer_income
        )
        self.per_capita_net_income = per_head(self.net_income, self.member_count)  # 四舍五入 to the fen


class LivingConditions(models.Model):
    """两不愁三保障 facts of a household in a year, with who assessed them and when (DOMAIN.md §3.4)."""

    household = models.ForeignKey("households.Household", verbose_name="户", on_delete=models.CASCADE, related_name="living_conditions")
    year = models.PositiveSmallIntegerField("年度")
    assessed_on = models.DateField("评估日期")
    food_secure = models.BooleanField("不愁吃", null=True)
    clothing_secure = models.BooleanField("不愁穿", null=True)
    # 义务教育: each school-age child's schooling is on the member; this records the assessor's finding.
    compulsory_education_secure = models.BooleanField("义务教育有保障", null=True)
    education_note = models.CharField("义务教育说明（辍学原因等）", max_length=200, blank=True)
    all_members_insured = models.BooleanField("全员参加基本医疗保险", null=True)
    serious_illness_covered = models.BooleanField("大病保险覆盖", null=True)
    housing_grade = models.CharField("住房鉴定等级", max_length=1, choices=HousingGrade.choices, blank=True, default="")
    housing_area_m2 = models.DecimalField("住房面积（平方米）", max_digits=7, decimal_places=1, null=True, blank=True)
    retrofit_completed = models.BooleanField("危房改造或搬迁已完成", default=False)
    water_safe = models.BooleanField("饮水安全", null=True)
    water_difficult = models.BooleanField("饮水困难", null=True)
    note = models.CharField("备注", max_length=300, blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评估人", null=True, blank=True, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = YearlyQuerySet.as_manager()

    class Meta:
        verbose_name = "两不愁三保障"
        verbose_name_plural = "两不愁三保障"
        ordering = ["household_id", "-year", "-assessed_on", "-id"]
        indexes = [models.Index(fields=["household", "year"], name="conditions_household_year_idx")]

    def __str__(self):
        return f"{self.household_id} {self.year} 年两不愁三保障"

    @property
    def is_unsafe_house(self) -> bool:
        return self.housing_grade in UNSAFE_GRADES

    @property
    def housing_secure(self) -> bool | None:
        """住房安全有保障: no C/D house in use, or its retrofit/relocation completed."""
        if not self.housing_grade:
            return None
        return not self.is_unsafe_house or self.retrofit_completed

