"""问题整改台账: inspections, the finding tree 大类 → 条 → 具体问题, rectification items and their history.

Seeds: 督查报告, 整改要求 and a 问题整改台账 per county after each inspection round (001_5bc03b4b95b81c94.txt §三(一));
新平's 2017 problems — 8 大类, 85 条, 203 具体问题 — each with 整改责任, 整改时限, 整改重点, 逐项整改, 对账销号
(002_3c24fdc0372bba72.txt §二(六)); 限期整改, 约谈 (003_4668418ac55f704e.txt §五.25). Workflow: DOMAIN.md §5.10.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from povalleviation.access import ScopedQuerySet

from ..choices import EscalationKind, ItemEvent, ItemStatus, SourceKind
from .history import HistoryRow


class InspectionQuerySet(ScopedQuerySet):
    area_code_path = "area_code"


class Inspection(models.Model):
    """One inspection, assessment, audit or 暗访 round with its 督查报告 (DOMAIN.md §5.10 "Inspection").

    ``issuer_area`` is the office that inspected (city/county 领导小组办公室, 督查巡查组); ``area`` is the inspected
    area and ``area_code`` copies its code, so the ledger is scoped by one indexed prefix match. The issuer must be
    the inspected area or one of its ancestors; 对账 of its items happens at the issuer's level.
    """

    title = models.CharField("名称", max_length=200)
    source_kind = models.CharField("问题来源", max_length=24, choices=SourceKind.choices)
    document_number = models.CharField("反馈文号", max_length=100, blank=True)
    issuer_area = models.ForeignKey("villages.Area", verbose_name="组织单位所在区域", on_delete=models.PROTECT,
                                    related_name="+")
    issuer_unit = models.CharField("组织单位", max_length=100)
    area = models.ForeignKey("villages.Area", verbose_name="被检查区域", on_delete=models.PROTECT, related_name="+")
    area_code = models.CharField("区划代码", max_length=15, editable=False)
    started_on = models.DateField("检查开始日期")
    ended_on = models.DateField("检查结束日期")
    feedback_on = models.DateField("反馈日期")
    default_deadline = models.DateField("默认整改时限")
    qualitative_summary = models.TextField("督查报告（定性分析）", blank=True)
    quantitative_summary = models.TextField("督查报告（定量分析）", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = "督查检查"
        verbose_name_plural = "督查检查"
        ordering = ["-feedback_on", "-id"]
        indexes = [models.Index(fields=["area_code"], name="inspection_area_prefix_idx", opclasses=["varchar_pattern_ops"])]
        constraints = [
            models.CheckConstraint(name="inspection_dates_ordered", condition=Q(ended_on__gte=models.F("started_on"))),
            models.CheckConstraint(name="inspection_source_valid", condition=Q(source_kind__in=SourceKind.values)),
        ]

    def __str__(self):
        return self.title


class FindingQuerySet(ScopedQuerySet):
    area_code_path = "inspection__area_code"


class Finding(models.Model):
    """One 条 of the finding tree under its 大类 (category). Category names are free text per inspection
    (DOMAIN.md Q25: 新平 names 4 of its 8 大类: 目标精准把握, 政策举措落实, 帮扶工作, 扶贫资金使用管理)."""

    inspection = models.ForeignKey(Inspection, verbose_name="督查检查", on_delete=models.CASCADE, related_name="findings")
    category = models.CharField("问题大类", max_length=60)
    number = models.PositiveSmallIntegerField("条目序号")
    text = models.CharField("问题条目", max_length=500)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = "问题条目"
        verbose_name_plural = "问题条目"
        ordering = ["inspection_id", "number"]
        constraints = [models.UniqueConstraint(fields=["inspection", "number"], name="finding_number_unique")]

    def __str__(self):
        return f"{self.category} 第{self.number}条"


class RectificationItemQuerySet(ScopedQuerySet):
    area_code_path = "area_code"

    def within_code(self, prefix: str):
        return self.filter(area_code__startswith=prefix)


class RectificationItem(models.Model):
    """One 具体问题 to rectify: 整改责任 (unit + person), 整改时限, 整改重点, and its 对账销号 state.

    ``area`` is where the responsible unit works (the inspected area or below); ``area_code`` copies its code.
    ``status`` and ``deadline`` change only through ``oversight.services``, which write a
    ``RectificationHistory`` row for each change (the as-of counts of the reports come from that history).
    """

    finding = models.ForeignKey(Finding, verbose_name="问题条目", on_delete=models.CASCADE, related_name="items")
    problem = models.TextField("具体问题")
    area = models.ForeignKey("villages.Area", verbose_name="责任区域", on_delete=models.PROTECT, related_name="+")
    area_code = models.CharField("区划代码", max_length=15, editable=False)
    responsible_unit = models.CharField("整改责任单位", max_length=100)
    responsible_person = models.CharField("责任人", max_length=50)
    deadline = models.DateField("整改时限")
    measures = models.TextField("整改重点与措施", blank=True)
    status = models.CharField("状态", max_length=12, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请销号人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="对账人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    submission = models.JSONField("申请销号时的整改材料（冻结）", default=dict, blank=True, editable=False)
    submission_sha256 = models.CharField("材料摘要", max_length=64, blank=True, editable=False)
    closed_on = models.DateField("销号日期", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    created_at = models.DateTimeField("交办时间")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = RectificationItemQuerySet.as_manager()

    class Meta:
        verbose_name = "整改事项"
        verbose_name_plural = "整改事项"
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["area_code"], name="rectif_item_area_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["status", "deadline"], name="rectif_item_status_due_idx"),
        ]
        constraints = [models.CheckConstraint(name="rectif_item_status_valid", condition=Q(status__in=ItemStatus.values))]

    def __str__(self):
        return self.problem[:40]

    @property
    def is_overdue(self) -> bool:
        """Not yet 销号 and past its 整改时限 today."""
        return self.status != ItemStatus.CLOSED and self.deadline < timezone.localdate()

    @property
    def title(self) -> str:
        return self.problem.splitlines()[0][:80] if self.problem else ""


class ChildOfItemQuerySet(ScopedQuerySet):
    area_code_path = "item__area_code"


class RectificationHistory(HistoryRow):
    """Every change of an item's state or deadline: who, when, from, to, note (DOMAIN.md §5.0 rule 6).

    ``deadline`` is the 整改时限 in force after the change, so a report as of a past date sees the deadline and
    status of that date, whatever happened later.
    """

    item = models.ForeignKey(RectificationItem, verbose_name="整改事项", on_delete=models.CASCADE, related_name="history")
    event = models.CharField("事件", max_length=12, choices=ItemEvent.choices)
    from_status = models.CharField("原状态", max_length=12, choices=ItemStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=12, choices=ItemStatus.choices)
    deadline = models.DateField("整改时限")

    objects = ChildOfItemQuerySet.as_manager()

    class Meta(HistoryRow.Meta):
        verbose_name = "整改办理记录"
        verbose_name_plural = "整改办理记录"
        indexes = [models.Index(fields=["item", "at"], name="rectif_history_item_at_idx")]


class ProgressNote(models.Model):
    """逐项整改: a progress report of the responsible unit with an optional evidence file (hash kept so the
    frozen 申请销号 snapshot can name it)."""

    item = models.ForeignKey(RectificationItem, verbose_name="整改事项", on_delete=models.CASCADE,
                             related_name="progress_notes")
    text = models.TextField("整改进展")
    evidence = models.FileField("佐证材料", upload_to="rectification/%Y/%m/", blank=True)
    evidence_name = models.CharField("材料文件名", max_length=200, blank=True)
    evidence_sha256 = models.CharField("材料摘要", max_length=64, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报送人", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("报送时间")

    objects = ChildOfItemQuerySet.as_manager()

    class Meta:
        verbose_name = "整改进展"
        verbose_name_plural = "整改进展"
        ordering = ["at", "id"]

    def __str__(self):
        return self.text[:40]


class Escalation(models.Model):
    """约谈 / 通报 of the responsible unit of an overdue item (DOMAIN.md §5.10 "Escalation";
    003_4668418ac55f704e.txt §五.25 限期整改、约谈; 001_5bc03b4b95b81c94.txt §三(八) 约谈、通报批评)."""

    item = models.ForeignKey(RectificationItem, verbose_name="整改事项", on_delete=models.CASCADE,
                             related_name="escalations")
    kind = models.CharField("方式", max_length=10, choices=EscalationKind.choices)
    escalated_on = models.DateField("日期")
    target = models.CharField("约谈/通报对象", max_length=100)
    note = models.CharField("说明", max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = ChildOfItemQuerySet.as_manager()

    class Meta:
        verbose_name = "约谈通报"
        verbose_name_plural = "约谈通报"
        ordering = ["escalated_on", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.escalated_on}"
