"""The area tree 省/市/县/乡/村/村民小组 keyed by 统计用区划代码 (DOMAIN.md §2).

A post at an area covers every row whose area code starts with that area's scope prefix
(2/4/6/9/12/15 digits), so scoping is an indexed prefix match, never a walk of the tree.
"""
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length

from povalleviation.access import ScopedQuerySet

from .choices import (
    CODE_PATTERN,
    LEVEL_ORDER,
    PREFIX_LENGTH,
    AreaLevel,
    PovertyCountyDesignation,
    parent_code_of,
)
from .codes import area_prefix


class AreaQuerySet(ScopedQuerySet):
    area_code_path = "code"

    def within(self, area):
        """The area and everything below it: one indexed prefix match."""
        return self.filter(code__startswith=area.scope_prefix)

    def descendants_of(self, area):
        return self.within(area).exclude(pk=area.pk)

    def ancestors_of(self, area):
        return self.filter(code__in=area.ancestor_codes()).order_by(Length("code"), "code")

    def at_level(self, level):
        return self.filter(level=level)


class Area(models.Model):
    """One node of the area tree.

    Codes follow 统计用区划代码 (12 digits, right-padded with zeros); a 村民小组 extends its village's code
    with 3 digits (DOMAIN.md §2.1, Q16). The code's shape must match the level (a database constraint) and
    its prefix must be the parent's, one level up (checked in ``clean``, which every service calls).
    """

    code = models.CharField("区划代码", max_length=15, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级区域", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # County attributes (000_6ea9a56b91abd59f.txt §一, §二(二)).
    poverty_county_designation = models.CharField(
        "贫困县类别", max_length=12, choices=PovertyCountyDesignation.choices, blank=True, default=""
    )
    # Township attribute: 贫困乡 (002_3c24fdc0372bba72.txt §前言).
    is_poor_township = models.BooleanField("贫困乡", default=False)
    # Village attributes (000 §一; 001 §前言; 003 §一.2).
    is_poor_village = models.BooleanField("贫困村", default=False)
    poor_village_designation_year = models.PositiveSmallIntegerField("贫困村认定年份", null=True, blank=True)
    is_deep_poverty_village = models.BooleanField("深度贫困村", default=False)
    # Group attribute: a 自然村 stored as a group (DOMAIN.md Q16).
    is_natural_village = models.BooleanField("自然村", default=False)
    # Exit (出列 / 摘帽) plan and result for counties, townships and villages.
    planned_exit_year = models.PositiveSmallIntegerField("计划退出年份", null=True, blank=True)
    actual_exit_date = models.DateField("实际退出日期", null=True, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = "区域"
        verbose_name_plural = "区域"
        ordering = ["code"]
        indexes = [
            # Prefix searches (code LIKE '530427%') need a pattern-ops index under the C.UTF-8 collation.
            models.Index(fields=["code"], name="area_code_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["level", "code"], name="area_level_code_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="area_code_matches_level",
                condition=(
                    Q(level=AreaLevel.PROVINCE, code__regex=CODE_PATTERN[AreaLevel.PROVINCE])
                    | Q(level=AreaLevel.CITY, code__regex=CODE_PATTERN[AreaLevel.CITY])
                    | Q(level=AreaLevel.COUNTY, code__regex=CODE_PATTERN[AreaLevel.COUNTY])
                    | Q(level=AreaLevel.TOWNSHIP, code__regex=CODE_PATTERN[AreaLevel.TOWNSHIP])
                    | Q(level=AreaLevel.VILLAGE, code__regex=CODE_PATTERN[AreaLevel.VILLAGE])
                    | Q(level=AreaLevel.GROUP, code__regex=CODE_PATTERN[AreaLevel.GROUP])
                ),
                violation_error_message="区划代码与层级不符",
            ),
            models.CheckConstraint(
                name="area_root_is_province",
                condition=Q(level=AreaLevel.PROVINCE, parent__isnull=True)
                | (~Q(level=AreaLevel.PROVINCE) & Q(parent__isnull=False)),
                violation_error_message="只有省级区域没有上级区域",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def scope_prefix(self) -> str:
        return area_prefix(self.code, self.level)

    @property
    def level_index(self) -> int:
        return LEVEL_ORDER.index(self.level)

    def ancestor_codes(self) -> list[str]:
        """Codes of every ancestor, computed from this code alone (no queries)."""
        codes = []
        for level in LEVEL_ORDER[: self.level_index]:
            codes.append(self.code[: PREFIX_LENGTH[level]].ljust(12, "0"))
        return codes

    def contains(self, other: "Area") -> bool:
        return other.code.startswith(self.scope_prefix)

    def clean(self):
        errors = {}
        pattern_level = self.level
        import re

        if self.code and pattern_level in CODE_PATTERN and not re.match(CODE_PATTERN[pattern_level], self.code):
            errors["code"] = f"区划代码 {self.code} 不符合{self.get_level_display()}级代码格式"
        if self.level == AreaLevel.PROVINCE:
            if self.parent_id is not None:
                errors["parent"] = "省级区域不能有上级区域"
        elif self.parent is None:
            errors["parent"] = "缺少上级区域"
        else:
            expected_level = LEVEL_ORDER[self.level_index - 1]
            if self.parent.level != expected_level:
                errors["parent"] = (
                    f"上级区域必须是{AreaLevel(expected_level).label}级，"
                    f"而 {self.parent.name} 是{self.parent.get_level_display()}级"
                )
            elif "code" not in errors and parent_code_of(self.code, self.level) != self.parent.code:
                errors["code"] = f"区划代码 {self.code} 与上级区域代码 {self.parent.code} 的前缀不一致"
        if errors:
            raise ValidationError(errors)


class AreaYearProfile(models.Model):
    """Year-versioned facts of an area (DOMAIN.md §2.2): the 贫困发生率 denominator, collective income, 六通.

    The denominator 农村户籍人口 is entered per village and year, never derived from the register
    (DOMAIN.md Q4; 003_4668418ac55f704e.txt §一.2).
    """

    area = models.ForeignKey(Area, verbose_name="区域", on_delete=models.CASCADE, related_name="year_profiles")
    year = models.PositiveSmallIntegerField("年度")
    rural_registered_population = models.PositiveIntegerField("农村户籍人口", null=True, blank=True)
    registered_households = models.PositiveIntegerField("户籍户数", null=True, blank=True)
    collective_income = models.DecimalField("村集体经济收入（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    disposable_income_per_capita = models.DecimalField(
        "农村居民人均可支配收入（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    has_water = models.BooleanField("通水", null=True)
    has_power = models.BooleanField("通电", null=True)
    has_hard_road = models.BooleanField("通硬化路", null=True)
    has_broadband = models.BooleanField("通宽带", null=True)
    has_post = models.BooleanField("通邮", null=True)
    has_bus = models.BooleanField("通客车", null=True)
    has_standard_clinic = models.BooleanField("标准化卫生室", null=True)
    has_culture_square = models.BooleanField("文化广场", null=True)
    source_note = models.CharField("数据来源", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "区域年度指标"
        verbose_name_plural = "区域年度指标"
        constraints = [models.UniqueConstraint(fields=["area", "year"], name="area_year_profile_unique")]

    def __str__(self):
        return f"{self.area} {self.year}"
