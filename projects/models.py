"""项目库: projects, their budget by fund source, beneficiaries, events and 公告公示 (DOMAIN.md §5.8)."""
from django.conf import settings
from django.db import models
from django.db.models import Q

from povalleviation.access import ScopedQuerySet

from .choices import (
    BenefitMechanism,
    FundKind,
    ObjectionChannel,
    ObjectionStatus,
    ProjectCategory,
    ProjectEventType,
    ProjectStatus,
    PublicityKind,
    SourceLevel,
)


class FundSource(models.Model):
    """A source of poverty funds by level and kind (DOMAIN.md §5.9; 001_5bc03b4b95b81c94.txt §三(四);
    004_c61319f7ee03391d.txt §五(十九)–(二十) 用途不变、渠道不乱、各记其功). Reference data, not scoped.

    It belongs to the 项目库 because a project's budget is planned by source before any money is allocated;
    the fund ledger (``funds``) builds on projects and their sources."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    level = models.CharField("资金层级", max_length=10, choices=SourceLevel.choices)
    kind = models.CharField("资金类别", max_length=20, choices=FundKind.choices)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        db_table = "funds_fundsource"  # created by the fund ledger; the model moved here with its table
        verbose_name = "资金来源"
        verbose_name_plural = "资金来源"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name


class ProjectQuerySet(ScopedQuerySet):
    area_code_path = "area_code"

    def within_code(self, prefix: str):
        return self.filter(area_code__startswith=prefix)


class Project(models.Model):
    """A poverty-alleviation project of the county 项目库.

    项目库制度 and annual plans from 建档立卡 data (001_5bc03b4b95b81c94.txt §三(四)); 方案、立项、批复、
    组织实施 (002_3c24fdc0372bba72.txt §二(三)); 项目筛选、可行性论证和储备 (004_c61319f7ee03391d.txt
    §五(十九)). ``status`` changes only through ``projects.services``; ``area_code`` copies the area's code
    so scoping is one indexed prefix match.
    """

    number = models.CharField("项目编号", max_length=24, unique=True, editable=False)
    name = models.CharField("项目名称", max_length=200)
    area = models.ForeignKey("villages.Area", verbose_name="实施地点", on_delete=models.PROTECT, related_name="projects")
    area_code = models.CharField("区划代码", max_length=15, editable=False)
    category = models.CharField("项目类别", max_length=24, choices=ProjectCategory.choices)
    year = models.PositiveSmallIntegerField("计划年度")
    responsible_unit = models.CharField("责任单位", max_length=100)
    description = models.TextField("建设内容", blank=True)
    planned_start = models.DateField("计划开工日期")
    planned_finish = models.DateField("计划完工日期")
    actual_start = models.DateField("实际开工日期", null=True, blank=True)
    actual_finish = models.DateField("实际完工日期", null=True, blank=True)
    budget_total = models.DecimalField("预算总额（元）", max_digits=14, decimal_places=2, default=0, editable=False)
    expected_households = models.PositiveIntegerField("预计受益户数", default=0)
    expected_persons = models.PositiveIntegerField("预计受益人数", default=0)
    actual_households = models.PositiveIntegerField("实际受益户数", null=True, blank=True)
    actual_persons = models.PositiveIntegerField("实际受益人数", null=True, blank=True)
    benefit_mechanism = models.CharField("带贫机制", max_length=20, choices=BenefitMechanism.choices)
    benefit_note = models.CharField("带贫机制说明", max_length=300, blank=True)
    status = models.CharField("状态", max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申报人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    last_actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上一步操作人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    approved_on = models.DateField("批复日期", null=True, blank=True)
    approved_budget = models.JSONField("批复预算（按资金来源）", default=dict, blank=True, editable=False)
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "扶贫项目"
        verbose_name_plural = "扶贫项目"
        ordering = ["-year", "area_code", "number"]
        indexes = [
            models.Index(fields=["area_code"], name="project_area_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["year", "status"], name="project_year_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(name="project_status_valid", condition=Q(status__in=ProjectStatus.values)),
            models.CheckConstraint(name="project_planned_dates_ordered",
                                   condition=Q(planned_finish__gte=models.F("planned_start"))),
            models.CheckConstraint(name="project_budget_not_negative", condition=Q(budget_total__gte=0)),
        ]

    def __str__(self):
        return f"{self.name}（{self.number}）"


class ProjectBudgetLine(models.Model):
    """Budget of a project by fund source (DOMAIN.md §5.8 step 1 "budget by source")."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="budget_lines")
    source = models.ForeignKey(FundSource, verbose_name="资金来源", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = "项目预算"
        verbose_name_plural = "项目预算"
        ordering = ["source__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "source"], name="project_budget_line_unique"),
            models.CheckConstraint(name="project_budget_line_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self):
        return f"{self.source_id}: {self.amount}"


class ProjectBeneficiary(models.Model):
    """A registered household a project names as beneficiary (六个精准: 项目安排精准, 000 §三(四)).

    The household must lie inside the project's area (checked by the service).
    """

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="beneficiaries")
    household = models.ForeignKey("households.Household", verbose_name="受益户", on_delete=models.PROTECT,
                                  related_name="project_links")
    is_actual = models.BooleanField("实际受益", default=False)

    class Meta:
        verbose_name = "受益户"
        verbose_name_plural = "受益户"
        constraints = [
            models.UniqueConstraint(fields=["project", "household", "is_actual"], name="project_beneficiary_unique"),
        ]

    def __str__(self):
        return f"{self.project_id} ← {self.household_id}"


class ProjectEvent(models.Model):
    """Every step of a project: who, when, from/to status, reason and a snapshot (DOMAIN.md §5.0 rule 3)."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="events")
    type = models.CharField("事件", max_length=24, choices=ProjectEventType.choices)
    from_status = models.CharField("原状态", max_length=16, choices=ProjectStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=16, choices=ProjectStatus.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)
    reason = models.CharField("说明", max_length=500, blank=True)
    snapshot = models.JSONField("决策快照", default=dict, blank=True)
    snapshot_sha256 = models.CharField("快照摘要", max_length=64, blank=True)

    class Meta:
        verbose_name = "项目事件"
        verbose_name_plural = "项目事件"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_type_display()} {self.at:%Y-%m-%d}"


class PublicityQuerySet(ScopedQuerySet):
    area_code_path = "project__area_code"


class ProjectPublicity(models.Model):
    """公告公示 of a project's arrangement or fund use, with its period and a frozen content snapshot.

    镇村两级 项目安排和资金使用 一律公示公告 (004_c61319f7ee03391d.txt §五(十九); 001_5bc03b4b95b81c94.txt
    §三(四)); content without names or ID numbers (DOMAIN.md Q6).
    """

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="publicities")
    kind = models.CharField("公示类型", max_length=10, choices=PublicityKind.choices)
    published_on = models.DateField("发布日期")
    ends_on = models.DateField("公示截止日期")
    location = models.CharField("公示地点", max_length=200)
    content = models.JSONField("公示内容快照", default=dict, editable=False)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发布人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = PublicityQuerySet.as_manager()

    class Meta:
        verbose_name = "项目公示"
        verbose_name_plural = "项目公示"
        ordering = ["-published_on", "-id"]
        constraints = [
            models.CheckConstraint(name="publicity_period_ordered", condition=Q(ends_on__gte=models.F("published_on"))),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.published_on}—{self.ends_on}"


class ObjectionQuerySet(ScopedQuerySet):
    area_code_path = "publicity__project__area_code"


class ProjectObjection(models.Model):
    """An objection raised during a 公示 (DOMAIN.md §5.0 rule 5; 000 §三(四) 接受社会、媒体监督;
    004_c61319f7ee03391d.txt §五(二十二) 12317)."""

    publicity = models.ForeignKey(ProjectPublicity, verbose_name="公示", on_delete=models.CASCADE,
                                  related_name="objections")
    channel = models.CharField("渠道", max_length=20, choices=ObjectionChannel.choices)
    complainant = models.CharField("异议人（可不填）", max_length=100, blank=True)
    content = models.TextField("异议内容")
    received_on = models.DateField("收到日期")
    status = models.CharField("处理状态", max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    resolution = models.TextField("处理结果", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="处理人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["received_on", "id"]

    def __str__(self):
        return f"{self.get_channel_display()} {self.received_on}"
