"""Policy parameters: every threshold the system applies is a row here, never a constant in code.

DOMAIN.md §4 storage design: ``PolicyParameter(code, area, year_from, year_to, value, unit, comparator,
price_base_year, source_citation, is_from_seeds, note)``. A row applies to its area and everything below
it, for the years of its range; the most specific ancestor's row wins. Rows are versioned: an edit writes
a new row of the same ``series`` and keeps the old one, superseded, with who, when and why.
"""
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from povalleviation.access import ScopedQuerySet

__all__ = ["Comparator", "ParameterCode", "ParameterDefinition", "PARAMETER_DEFINITIONS", "PolicyParameter"]


class Comparator(models.TextChoices):
    """How a measured value is compared with the threshold (DOMAIN.md §0: 以上/以内 include, 超过/低于 exclude)."""

    GT = "gt", ">"
    GTE = "gte", "≥"
    LT = "lt", "<"
    LTE = "lte", "≤"
    EQ = "eq", "="
    NONE = "", "—"


class ParameterCode(models.TextChoices):
    """What a parameter row means. Labels are what administrators see."""

    INCOME_LINE = "income_line", "脱贫标准（农村居民人均纯收入）"
    INCOME_LINE_CONSTANT = "income_line_constant", "国家扶贫标准（不变价）"
    HOUSEHOLD_INCOME_TEST = "household_income_test", "户脱贫收入比较规则"
    VILLAGE_INCIDENCE_MAX = "village_incidence_max", "贫困村退出：贫困发生率上限"
    COUNTY_INCIDENCE_MAX = "county_incidence_max", "贫困县摘帽：贫困发生率上限"
    VILLAGE_COLLECTIVE_INCOME_MIN = "village_collective_income_min", "村集体经济收入下限"
    POOR_AREA_INCOME_GROWTH_MIN = "poor_area_income_growth_min", "贫困乡村农民人均收入年增幅"
    HOSPITAL_SELF_PAY_RATIO_MAX = "hospital_self_pay_ratio_max", "住院个人自付比例上限"
    MEDICAL_INSURANCE_COVERAGE_MIN = "medical_insurance_coverage_min", "基本医疗保险参保率"
    COMPULSORY_EDUCATION_AGE_MIN = "compulsory_education_age_min", "义务教育年龄下限"
    COMPULSORY_EDUCATION_AGE_MAX = "compulsory_education_age_max", "义务教育年龄上限"
    PUBLICITY_DAYS_MIN = "publicity_days_min", "公示期"
    HELPER_VISITS_PER_MONTH_MIN = "helper_visits_per_month_min", "帮扶责任人入户走访频次"
    FUND_SPEND_RATIO_MIN = "fund_spend_ratio_min", "专项扶贫资金支出进度目标"
    COUNTY_INTEGRATED_FUNDS_MIN = "county_integrated_funds_min", "县级统筹整合资金下限"
    COUNTY_INTEGRATED_FUNDS_GROWTH_MIN = "county_integrated_funds_growth_min", "县级统筹整合资金年增幅"
    STEP_DAYS_VILLAGE = "step_days_village", "审核流程村级步骤办理时限"
    STEP_DAYS_TOWNSHIP = "step_days_township", "审核流程乡级步骤办理时限"
    STEP_DAYS_COUNTY = "step_days_county", "审核流程县级步骤办理时限"
    STEP_DAYS_CITY = "step_days_city", "审核流程市级步骤办理时限"
    STEP_DAYS_PROVINCE = "step_days_province", "审核流程省级步骤办理时限"
    EXIT_NOMINATION_WINDOW_START = "exit_nomination_window_start", "贫困户退出提名开始日（月日）"
    EXIT_NOMINATION_WINDOW_END = "exit_nomination_window_end", "贫困户退出提名截止日（月日）"
    CITY_FUND_RATIO_MIN = "city_fund_ratio_min", "市级资金投入占中央和省级资金比例"
    CITY_FUND_RATIO_WITH_GROWTH_MIN = "city_fund_ratio_with_growth_min", "市级资金投入比例（增幅高于中央和省级时）"
    DISTRICT_FUND_RATIO_MIN = "district_fund_ratio_min", "县（区）级资金投入占中央、省、市资金比例"
    PER_CAPITA_FUND_INPUT_MIN = "per_capita_fund_input_min", "人均财政扶贫投入"


@dataclass(frozen=True)
class ParameterDefinition:
    unit: str
    comparator: str
    # A comparator-only row (the household income test) names how to compare with another parameter.
    has_value: bool = True
    help_text: str = ""
    # The value is a month and day written MMDD (1001 = 10 月 1 日), e.g. the exit nomination window.
    is_month_day: bool = False


PARAMETER_DEFINITIONS: dict[str, ParameterDefinition] = {
    ParameterCode.INCOME_LINE: ParameterDefinition("元/人·年", Comparator.NONE, help_text="当年现价；户脱贫收入按“户脱贫收入比较规则”与之比较"),
    ParameterCode.INCOME_LINE_CONSTANT: ParameterDefinition("元/人·年（不变价）", Comparator.NONE),
    ParameterCode.HOUSEHOLD_INCOME_TEST: ParameterDefinition(
        "", Comparator.GT, has_value=False, help_text="人均纯收入与当年脱贫标准的比较方式（“超过”为 >，“不低于”为 ≥）"
    ),
    ParameterCode.VILLAGE_INCIDENCE_MAX: ParameterDefinition("%", Comparator.LTE),
    ParameterCode.COUNTY_INCIDENCE_MAX: ParameterDefinition("%", Comparator.LTE),
    ParameterCode.VILLAGE_COLLECTIVE_INCOME_MIN: ParameterDefinition("元/年", Comparator.GTE),
    ParameterCode.POOR_AREA_INCOME_GROWTH_MIN: ParameterDefinition("%/年", Comparator.GTE),
    ParameterCode.HOSPITAL_SELF_PAY_RATIO_MAX: ParameterDefinition("%", Comparator.LTE),
    ParameterCode.MEDICAL_INSURANCE_COVERAGE_MIN: ParameterDefinition("%", Comparator.GTE),
    ParameterCode.COMPULSORY_EDUCATION_AGE_MIN: ParameterDefinition("岁", Comparator.GTE, help_text="按当年 12 月 31 日的周岁计"),
    ParameterCode.COMPULSORY_EDUCATION_AGE_MAX: ParameterDefinition("岁", Comparator.LTE, help_text="按当年 12 月 31 日的周岁计"),
    ParameterCode.PUBLICITY_DAYS_MIN: ParameterDefinition("天", Comparator.GTE),
    ParameterCode.HELPER_VISITS_PER_MONTH_MIN: ParameterDefinition("次/月", Comparator.GTE, help_text="仅作提醒"),
    ParameterCode.FUND_SPEND_RATIO_MIN: ParameterDefinition("%", Comparator.GTE),
    ParameterCode.COUNTY_INTEGRATED_FUNDS_MIN: ParameterDefinition("元/年", Comparator.GTE),
    ParameterCode.COUNTY_INTEGRATED_FUNDS_GROWTH_MIN: ParameterDefinition("%/年", Comparator.GTE),
    # Workflow step time limits and the exit nomination window (DOMAIN.md §5.0 rule 7, §5.1 step 1).
    **{
        code: ParameterDefinition("天", Comparator.LTE, help_text="自该步骤开始之日起的自然日数；超过即显示超期")
        for code in (
            ParameterCode.STEP_DAYS_VILLAGE, ParameterCode.STEP_DAYS_TOWNSHIP, ParameterCode.STEP_DAYS_COUNTY,
            ParameterCode.STEP_DAYS_CITY, ParameterCode.STEP_DAYS_PROVINCE,
        )
    },
    ParameterCode.EXIT_NOMINATION_WINDOW_START: ParameterDefinition(
        "月日", Comparator.GTE, help_text="四位数月日，如 1001 表示 10 月 1 日", is_month_day=True
    ),
    ParameterCode.EXIT_NOMINATION_WINDOW_END: ParameterDefinition(
        "月日", Comparator.LTE, help_text="四位数月日，如 1231 表示 12 月 31 日；早于开始日表示跨年", is_month_day=True
    ),
    ParameterCode.CITY_FUND_RATIO_MIN: ParameterDefinition("%", Comparator.GTE, help_text="市级 ÷（中央 + 省级）"),
    ParameterCode.CITY_FUND_RATIO_WITH_GROWTH_MIN: ParameterDefinition(
        "%", Comparator.GTE, help_text="市级 ÷（中央 + 省级），且市级资金增幅高于中央和省级资金增幅"
    ),
    ParameterCode.DISTRICT_FUND_RATIO_MIN: ParameterDefinition("%", Comparator.GTE, help_text="县（区）级 ÷（中央 + 省 + 市）"),
    ParameterCode.PER_CAPITA_FUND_INPUT_MIN: ParameterDefinition("元/人·年", Comparator.GTE, help_text="下达资金 ÷ 建档立卡贫困人口"),
}


class PolicyParameterQuerySet(ScopedQuerySet):
    area_code_path = "area__code"

    def current(self):
        return self.filter(is_current=True)

    def covering_year(self, year: int):
        return self.filter(Q(year_from__lte=year), Q(year_to__isnull=True) | Q(year_to__gte=year))


class PolicyParameter(models.Model):
    """One version of one threshold for an area and a range of years (DOMAIN.md §4, storage design).

    Sources: income lines P-LN-01/02 and the household test P-EX-01 (⚠ national, not from the seeds;
    000_6ea9a56b91abd59f.txt §三(四) requires exits "按照脱贫标准"); 贫困发生率 caps P-VL-01/02
    (002_3c24fdc0372bba72.txt §一(二)); 村集体经济收入 P-VL-04 (002_3c24fdc0372bba72.txt §一(二), §二(五));
    住院自付 P-HE-01 (002_3c24fdc0372bba72.txt §二(二)); spend targets P-FD-01/02/03
    (000_6ea9a56b91abd59f.txt §八(三十二); 001_5bc03b4b95b81c94.txt §三(四); 004_c61319f7ee03391d.txt §五(十九));
    contribution targets P-FD-04 (001 §三(四)), P-FD-05 (004 §五(十九)), P-FD-06 (002 §三(二)), P-FD-07
    (003_4668418ac55f704e.txt §三.13).
    Workflow step time limits (DOMAIN.md §5.0 rule 7; ⚠ 15 days for 乡级初核 and 县级审定, §5.1) and the
    household exit nomination window (⚠ default 1 Oct–31 Dec, DOMAIN.md §5.1 step 1) are not from the seeds.
    Rows not from the seeds carry ``is_from_seeds = False`` and are shown with a warning (DOMAIN.md §0).
    """

    series = models.UUIDField("参数序列", default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    code = models.CharField("参数", max_length=48, choices=ParameterCode.choices)
    area = models.ForeignKey(
        "villages.Area", verbose_name="适用区域", on_delete=models.PROTECT, related_name="policy_parameters"
    )
    year_from = models.PositiveSmallIntegerField("起始年度")
    year_to = models.PositiveSmallIntegerField("截止年度", null=True, blank=True, help_text="留空表示长期有效")
    value = models.DecimalField("数值", max_digits=16, decimal_places=4, null=True, blank=True)
    unit = models.CharField("单位", max_length=40, blank=True)
    comparator = models.CharField("比较方式", max_length=4, choices=Comparator.choices, blank=True, default="")
    price_base_year = models.PositiveSmallIntegerField("价格基年", null=True, blank=True)
    policy_ref = models.CharField("政策条目编号", max_length=20, blank=True, help_text="如 P-VL-01（DOMAIN.md §4）")
    source_citation = models.CharField("来源文件与条款", max_length=300)
    is_from_seeds = models.BooleanField("来自政策文件", default=False)
    note = models.TextField("说明", blank=True)
    is_current = models.BooleanField("现行版本", default=True, editable=False)
    change_reason = models.CharField("设置或修改原因", max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="设置人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("设置时间", auto_now_add=True)
    superseded_at = models.DateTimeField("停用时间", null=True, blank=True, editable=False)
    superseded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="停用人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", editable=False,
    )
    supersede_reason = models.CharField("停用原因", max_length=300, blank=True, editable=False)

    objects = PolicyParameterQuerySet.as_manager()

    class Meta:
        verbose_name = "政策参数"
        verbose_name_plural = "政策参数"
        ordering = ["code", "area__code", "year_from", "-version"]
        indexes = [
            models.Index(fields=["code", "is_current", "year_from"], name="policy_param_lookup_idx"),
            models.Index(fields=["series", "version"], name="policy_param_series_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["series", "version"], name="policy_param_series_version_unique"),
            models.UniqueConstraint(
                fields=["series"], condition=Q(is_current=True), name="policy_param_one_current_version",
            ),
            models.CheckConstraint(
                name="policy_param_year_range",
                condition=Q(year_to__isnull=True) | Q(year_to__gte=models.F("year_from")),
                violation_error_message="截止年度不能早于起始年度",
            ),
            models.CheckConstraint(
                name="policy_param_comparator_valid", condition=Q(comparator__in=Comparator.values),
            ),
        ]

    def __str__(self):
        return f"{self.get_code_display()} · {self.area} · {self.years_label}"

    @property
    def definition(self) -> ParameterDefinition:
        return PARAMETER_DEFINITIONS[self.code]

    @property
    def years_label(self) -> str:
        if self.year_to is None:
            return f"{self.year_from} 年起"
        if self.year_to == self.year_from:
            return f"{self.year_from} 年"
        return f"{self.year_from}–{self.year_to} 年"

    @property
    def value_text(self) -> str:
        """The value without trailing zeros, as users and the engine's explanations show it."""
        return format_decimal(self.value) if self.value is not None else ""

    @property
    def display(self) -> str:
        """E.g. "≤ 2 %", "> 当年脱贫标准", "2995 元/人·年"."""
        comparator = self.get_comparator_display() if self.comparator else ""
        if not self.definition.has_value:
            return f"{comparator} 当年脱贫标准".strip()
        return " ".join(part for part in (comparator, self.value_text, self.unit) if part)

    def covers_year(self, year: int) -> bool:
        return self.year_from <= year and (self.year_to is None or self.year_to >= year)

    def clean(self):
        errors = {}
        definition = PARAMETER_DEFINITIONS.get(self.code)
        if definition is None:
            errors["code"] = "未知的参数"
        elif definition.has_value:
            if self.value is None:
                errors["value"] = "请填写数值"
        else:
            if self.value is not None:
                errors["value"] = "该参数只设比较方式，不填数值"
            if not self.comparator:
                errors["comparator"] = "请选择比较方式"
        if definition is not None and definition.is_month_day and self.value is not None and month_day(self.value) is None:
            errors["value"] = "请填写四位数月日，如 1001 表示 10 月 1 日"
        if self.year_to is not None and self.year_from is not None and self.year_to < self.year_from:
            errors["year_to"] = "截止年度不能早于起始年度"
        for name in ("year_from", "year_to", "price_base_year"):
            year = getattr(self, name)
            if year is not None and not 2000 <= year <= 2100:
                errors[name] = "年度应在 2000 至 2100 之间"
        if self.area_id and self.area.level == "group":
            errors["area"] = "政策参数设在村及以上区域"
        if errors:
            raise ValidationError(errors)


def month_day(value) -> tuple[int, int] | None:
    """1001 → (10, 1); None when the value is not a real month and day (0229 is allowed)."""
    import datetime

    if value is None or value != int(value):
        return None
    month, day = divmod(int(value), 100)
    try:
        datetime.date(2000, month, day)
    except ValueError:
        return None
    return month, day


def format_decimal(value) -> str:
    """2995.0000 → "2995", 0.5000 → "0.5": the one text form of a parameter value everywhere."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text
