"""Verification workflows: household exit, village and county exit, identification and 返贫 (DOMAIN.md §5).

One ``Verification`` row per attempt, driven through an explicit chain of steps (the transition table is
data: ``assessments.workflows.services.chains``, overridable per area by ``ApprovalChain``). Every step
writes a ``VerificationEvent`` with a snapshot (JSON + SHA-256) of what was decided on; 公示 are
``Publicity`` rows with their ``Objection``s; identification compares people against ``ExternalListEntry``
lists loaded from other departments and records each ``ComparisonMatch``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from povalleviation.access import ScopedQuerySet

__all__ = [
    "WorkflowType",
    "VerificationStatus",
    "Verification",
    "VerificationEvent",
    "ApprovalChain",
    "Publicity",
    "Objection",
    "ObjectionChannel",
]


class WorkflowType(models.TextChoices):
    HOUSEHOLD_EXIT = "household_exit", "贫困户退出"
    VILLAGE_EXIT = "village_exit", "贫困村退出"
    COUNTY_EXIT = "county_exit", "贫困县摘帽"
    IDENTIFICATION = "identification", "贫困户识别纳入"
    RETURN_TO_POVERTY = "return_to_poverty", "返贫认定"


HOUSEHOLD_WORKFLOWS = {
    WorkflowType.HOUSEHOLD_EXIT,
    WorkflowType.IDENTIFICATION,
    WorkflowType.RETURN_TO_POVERTY,
}


class VerificationStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "办理中"
    COMPLETED = "completed", "已办结"
    REJECTED = "rejected", "未通过"
    WITHDRAWN = "withdrawn", "已撤回"


class VerificationQuerySet(ScopedQuerySet):
    area_code_path = "area_code"

    def in_progress(self):
        return self.filter(status=VerificationStatus.IN_PROGRESS)


class Verification(models.Model):
    """One attempt at a workflow on one subject (a household, a village or a county).

    Chains: household exit 村民小组提名 → 村级评议 → 乡级初核 → 县级组织考核审定 (000_6ea9a56b91abd59f.txt
    §三(四), with the ⚠ 公示/公告 steps of DOMAIN.md §5.1); village exit 村级申请 → 乡级初评 → 县级初核 →
    市级审定 and county exit 县级申请 → 市级初核 → 省级审定 (000_6ea9a56b91abd59f.txt §三(四)); identification
    and 返贫 per DOMAIN.md §5.5/§5.6 (⚠ national "两公示一比对一公告"). ``chain`` freezes the steps in force
    when the attempt started; ``position`` is the index of the step that waits. ``version`` grows with every
    change so a decision on a stale page is refused (DOMAIN.md §5.0 rule 2).
    """

    workflow_type = models.CharField("流程类别", max_length=20, choices=WorkflowType.choices)
    household = models.ForeignKey(
        "households.Household",
        verbose_name="户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="verifications",
    )
    subject_area = models.ForeignKey(
        "villages.Area", verbose_name="对象区域", on_delete=models.PROTECT, related_name="verifications"
    )
    area_code = models.CharField("区划代码", max_length=15, editable=False)
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField(
        "状态", max_length=12, choices=VerificationStatus.choices, default=VerificationStatus.IN_PROGRESS
    )
    chain = models.JSONField("审核步骤", default=list)
    chain_source = models.CharField("步骤来源", max_length=100, blank=True)
    position = models.PositiveSmallIntegerField("当前步骤序号", default=1)
    current_step = models.CharField("当前步骤", max_length=40, blank=True)
    waiting_capability = models.CharField("待办权限", max_length=64, blank=True)
    waiting_level = models.CharField("待办层级", max_length=10, blank=True)
    step_since = models.DateTimeField("当前步骤开始时间")
    # The waiting step's time limit (DOMAIN.md §5.0 rule 7): set when the step starts waiting, from the
    # ``step_days_<level>`` parameter; during a 公示 it is the publicity end date. Empty: no parameter set.
    due_on = models.DateField("办理期限", null=True, blank=True)
    announcement = models.ForeignKey(
        "assessments.Announcement",
        verbose_name="公告",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="verifications",
    )
    version = models.PositiveIntegerField("版本", default=1)
    prior_household_status = models.CharField("发起前户状态", max_length=16, blank=True)
    note = models.TextField("申请说明", blank=True)
    decision_snapshot = models.JSONField("决定依据快照", null=True, blank=True, editable=False)
    decision_sha256 = models.CharField("决定依据快照 SHA-256", max_length=64, blank=True, editable=False)
    decided_on = models.DateField("办结日期", null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField("发起时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = VerificationQuerySet.as_manager()

    class Meta:
        verbose_name = "审核流程"
        verbose_name_plural = "审核流程"
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(
                fields=["area_code"], name="verification_area_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["status", "waiting_capability", "waiting_level"], name="verification_inbox_idx"
            ),
            models.Index(fields=["workflow_type", "status"], name="verification_type_status_idx"),
            models.Index(fields=["status", "due_on"], name="verification_due_idx"),
        ]
        constraints = [
            # One running attempt per household (any household workflow) and per area subject.
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status="in_progress", household__isnull=False),
                name="verification_one_running_per_household",
            ),
            models.UniqueConstraint(
                fields=["workflow_type", "subject_area"],
                condition=Q(status="in_progress", household__isnull=True),
                name="verification_one_running_per_area",
            ),
            models.CheckConstraint(
                name="verification_status_valid",
                condition=Q(status__in=["in_progress", "completed", "rejected", "withdrawn"]),
            ),
        ]

    def __str__(self):
        return f"{self.get_workflow_type_display()}：{self.subject_name}"

    @property
    def subject_name(self) -> str:
        if self.household_id:
            return f"{self.household.head_name}户（{self.household.household_number}）"
        return self.subject_area.name

    @property
    def is_open(self) -> bool:
        return self.status == VerificationStatus.IN_PROGRESS

    @property
    def is_overdue(self) -> bool:
        """The waiting step is past its time limit (the due day itself is still in time)."""
        from django.utils import timezone

        return self.is_open and self.due_on is not None and timezone.localdate() > self.due_on

    @property
    def overdue_days(self) -> int:
        from django.utils import timezone

        return (timezone.localdate() - self.due_on).days if self.is_overdue else 0

    @property
    def steps(self) -> list[dict]:
        return self.chain

    @property
    def waiting_step(self) -> dict | None:
        if not self.is_open or self.position >= len(self.chain):
            return None
        return self.chain[self.position]

    @property
    def stage_label(self) -> str:
        step = self.waiting_step
        if step is None:
            return self.get_status_display()
        return f"待{step['label']}"


class VerificationEvent(models.Model):
    """One transition of a verification: who, when, from which stage to which, the note, and the snapshot of
    what was decided on with its SHA-256 (DOMAIN.md §5.0 rule 3; 000_6ea9a56b91abd59f.txt §三(四) "防止数字
    脱贫"). Rows are only ever added."""

    class Action(models.TextChoices):
        START = "start", "发起"
        APPROVE = "approve", "通过"
        RETURN = "return", "退回"
        REJECT = "reject", "不予通过"
        WITHDRAW = "withdraw", "撤回"
        PUBLICITY_OPEN = "publicity_open", "开始公示"
        PUBLICITY_CLOSE = "publicity_close", "结束公示"
        OBJECTION_LODGED = "objection_lodged", "登记异议"
        OBJECTION_RESOLVED = "objection_resolved", "异议处理"
        COMPARISON_RUN = "comparison_run", "比对"
        MATCH_EXPLAINED = "match_explained", "比对说明"
        ANNOUNCE = "announce", "公告"

    verification = models.ForeignKey(
        Verification, verbose_name="流程", on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    step_code = models.CharField("步骤", max_length=40, blank=True)
    step_label = models.CharField("步骤名称", max_length=60, blank=True)
    step_position = models.PositiveSmallIntegerField("步骤序号", null=True, blank=True)
    from_stage = models.CharField("原阶段", max_length=80, blank=True)
    to_stage = models.CharField("新阶段", max_length=80, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    note = models.TextField("意见或说明", blank=True)
    details = models.JSONField("办理记录", default=dict, blank=True)
    snapshot = models.JSONField("快照", default=dict, blank=True)
    snapshot_sha256 = models.CharField("快照 SHA-256", max_length=64, blank=True)
    parameter_version = models.CharField("所用参数", max_length=300, blank=True)

    class Meta:
        verbose_name = "流程记录"
        verbose_name_plural = "流程记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["verification", "step_position"], name="verification_event_step_idx")]

    def __str__(self):
        return f"{self.get_action_display()} {self.step_label}"


class ApprovalChain(models.Model):
    """A per-area override of a workflow's chain (DOMAIN.md §5.0 rule 1, §8 Q5: 新乡 approves village exits
    at 市级 while national practice stops at the county). The most specific ancestor's active chain covering
    the year wins; without one the seed chains apply (000_6ea9a56b91abd59f.txt §三(四))."""

    area = models.ForeignKey(
        "villages.Area", verbose_name="适用区域", on_delete=models.PROTECT, related_name="approval_chains"
    )
    workflow_type = models.CharField("流程类别", max_length=20, choices=WorkflowType.choices)
    year_from = models.PositiveSmallIntegerField("起始年度")
    year_to = models.PositiveSmallIntegerField("截止年度", null=True, blank=True)
    steps = models.JSONField("步骤")
    note = models.CharField("依据", max_length=300)
    is_active = models.BooleanField("有效", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="设置人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "审核步骤配置"
        verbose_name_plural = "审核步骤配置"
        ordering = ["area__code", "workflow_type", "-year_from"]

    def __str__(self):
        return f"{self.area} {self.get_workflow_type_display()} {self.year_from} 年起"


class PublicityQuerySet(ScopedQuerySet):
    area_code_path = "verification__area_code"


class Publicity(models.Model):
    """公示: posted for objections before the next step; it cannot close early and every objection must be
    resolved first (DOMAIN.md §5.0 rule 5; 000_6ea9a56b91abd59f.txt §五(二十) 公告公示制度; duration P-GV-04,
    ⚠ 7 days by default, from the ``publicity_days_min`` parameter). The content names no full ID number."""

    class Status(models.TextChoices):
        OPEN = "open", "公示中"
        CLOSED = "closed", "已结束"

    class Result(models.TextChoices):
        NONE = "", "—"
        NO_OBJECTION = "no_objection", "无异议或异议不成立"
        OBJECTION_UPHELD = "objection_upheld", "异议成立"

    verification = models.ForeignKey(
        Verification, verbose_name="流程", on_delete=models.CASCADE, related_name="publicities"
    )
    step_code = models.CharField("步骤", max_length=40)
    area = models.ForeignKey(
        "villages.Area", verbose_name="公示范围", on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField("公示开始日期")
    end_date = models.DateField("公示截止日期")
    days = models.PositiveSmallIntegerField("公示天数")
    location = models.CharField("公示地点", max_length=200)
    content = models.JSONField("公示内容")
    content_sha256 = models.CharField("公示内容 SHA-256", max_length=64)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN)
    result = models.CharField("公示结果", max_length=20, choices=Result.choices, blank=True, default="")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField("发布时间", auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="结束人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    objects = PublicityQuerySet.as_manager()

    class Meta:
        verbose_name = "公示"
        verbose_name_plural = "公示"
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                name="publicity_end_not_before_start", condition=Q(end_date__gte=models.F("start_date"))
            ),
            models.UniqueConstraint(
                fields=["verification"],
                condition=Q(status="open"),
                name="publicity_one_open_per_verification",
            ),
        ]

    def __str__(self):
        return f"{self.verification} 公示 {self.start_date}—{self.end_date}"


class ObjectionChannel(models.TextChoices):
    """Where an objection came in (DOMAIN.md §3.10; 12317: 004_c61319f7ee03391d.txt §五(二十二))."""

    ON_SITE = "on_site", "现场"
    TOWNSHIP = "township", "乡镇"
    COUNTY_OFFICE = "county_office", "县扶贫办"
    HOTLINE = "hotline_12317", "12317"
    PETITION = "petition", "信访"
    MEDIA = "media", "媒体"
    INSPECTION = "inspection", "督查"


class ObjectionQuerySet(ScopedQuerySet):
    area_code_path = "publicity__verification__area_code"

    def open(self):
        return self.filter(status=Objection.Status.OPEN)


class Objection(models.Model):
    """异议 raised during a 公示 by anyone (villagers, the public, media, 12317 callers —
    000_6ea9a56b91abd59f.txt §三(四) "接受社会、媒体监督"; 004_c61319f7ee03391d.txt §五(二十二)). Upheld →
    the subject goes back to the village step; dismissed → written reason (DOMAIN.md §5.0 rule 5)."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        UPHELD = "upheld", "异议成立"
        DISMISSED = "dismissed", "异议不成立"

    publicity = models.ForeignKey(
        Publicity, verbose_name="公示", on_delete=models.CASCADE, related_name="objections"
    )
    channel = models.CharField("渠道", max_length=16, choices=ObjectionChannel.choices)
    complainant = models.CharField("反映人（可匿名）", max_length=100, blank=True)
    content = models.TextField("异议内容")
    status = models.CharField("处理状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField("处理意见", blank=True)
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lodged_at = models.DateTimeField("登记时间", auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = "异议"
        verbose_name_plural = "异议"
        ordering = ["lodged_at", "id"]
        indexes = [models.Index(fields=["status"], name="objection_status_idx")]

    def __str__(self):
        return f"{self.get_channel_display()}：{self.content[:20]}"
