"""住院费用 of a member in a calendar year: what the hospital stays cost and who paid (DOMAIN.md §3.4 基本医疗有保障).

The eligibility engine derives 住院自付比例 = 个人自付 ÷ 住院总费用 per person per calendar year on all
hospital costs (DOMAIN.md §6.2, §8 Q12) and compares it with the area's cap (P-HE-01: 新平县 个人住院自付比例
“控制在10%以内”, 002_3c24fdc0372bba72.txt §二(二)).
"""
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from .yearly import YearlyQuerySet, money

__all__ = ["HospitalExpense"]


class HospitalExpense(models.Model):
    """One member's hospital costs of one calendar year, split by who paid: 基本医保, 大病保险, 医疗救助 and the
    person (个人自付 = 总费用 − the three). A row with no stay (住院次数 0, 费用 0) records that the member was
    not in hospital that year, so the engine can tell "no stay" from "not recorded".

    Sources: P-HE-01 (002_3c24fdc0372bba72.txt §二(二): 个人住院自付比例控制在10%以内, 大病保险 and 医疗救助
    as the 兜底 after 基本医保); 医疗救助 on costs after insurance (P-HE-05, 003_4668418ac55f704e.txt §二.9).
    """

    household = models.ForeignKey(
        "households.Household", verbose_name="户", on_delete=models.CASCADE, related_name="hospital_expenses"
    )
    member = models.ForeignKey(
        "households.Member", verbose_name="成员", on_delete=models.CASCADE, related_name="hospital_expenses"
    )
    year = models.PositiveSmallIntegerField("年度")
    admissions = models.PositiveSmallIntegerField("住院次数", default=1, help_text="填 0 表示本年未住院")
    total_cost = money("住院总费用")
    basic_insurance_paid = money("基本医保报销")
    serious_illness_paid = money("大病保险报销")
    medical_assistance_paid = money("医疗救助")
    self_paid = models.DecimalField("个人自付", max_digits=12, decimal_places=2, editable=False)
    note = models.CharField("备注", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now=True)

    objects = YearlyQuerySet.as_manager()

    class Meta:
        verbose_name = "住院费用"
        verbose_name_plural = "住院费用"
        ordering = ["household_id", "-year", "member_id"]
        indexes = [models.Index(fields=["household", "year"], name="hospital_household_year_idx")]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="hospital_member_year_unique"),
            models.CheckConstraint(name="hospital_self_paid_not_negative", condition=Q(self_paid__gte=0)),
            models.CheckConstraint(
                name="hospital_paid_sums_to_total",
                condition=Q(total_cost=F("basic_insurance_paid") + F("serious_illness_paid")
                            + F("medical_assistance_paid") + F("self_paid")),
            ),
        ]

    def __str__(self):
        return f"{self.member_id} {self.year} 年住院费用"

    def compute(self):
        self.self_paid = self.total_cost - self.basic_insurance_paid - self.serious_illness_paid - self.medical_assistance_paid

    @property
    def self_pay_ratio(self) -> Decimal | None:
        """个人自付 ÷ 住院总费用 in %, 2 decimals; None without cost."""
        if not self.total_cost:
            return None
        return (self.self_paid * 100 / self.total_cost).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def clean(self):
        errors = {}
        for name in ("total_cost", "basic_insurance_paid", "serious_illness_paid", "medical_assistance_paid"):
            if getattr(self, name) is not None and getattr(self, name) < 0:
                errors[name] = "金额不能为负数"
        if not errors and self.self_paid is not None and self.self_paid < 0:
            errors["total_cost"] = "住院总费用不能少于基本医保、大病保险和医疗救助报销之和"
        if self.admissions == 0 and self.total_cost:
            errors["admissions"] = "有住院费用时住院次数不能为 0"
        if self.admissions and not self.total_cost:
            errors["total_cost"] = "有住院时请填写住院总费用（本年未住院请把住院次数填 0）"
        if self.member_id and self.household_id and self.member.household_id != self.household_id:
            errors["member"] = "该成员不属于本户"
        if errors:
            raise ValidationError(errors)
