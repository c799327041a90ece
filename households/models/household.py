"""The 建档立卡 household (户) and its history (DOMAIN.md §3.1, §3.9)."""
from django.conf import settings
from django.db import models
from django.db.models import Q

from households.choices import (
    ACTIVE_STATUSES,
    POOR_STATUSES,
    HouseholdCategory,
    HouseholdStatus,
    MonitoringFlag,
    PovertyCause,
)
from povalleviation.access import ScopedQuerySet


class HouseholdQuerySet(ScopedQuerySet):
    area_code_path = "area_code"

    def active(self):
        return self.exclude(status=HouseholdStatus.REMOVED)

    def poor(self):
        return self.filter(status__in=POOR_STATUSES)

    def unexited(self):
        return self.poor()

    def within_code(self, prefix: str):
        return self.filter(area_code__startswith=prefix)


class HouseholdChildScopedQuerySet(ScopedQuerySet):
    area_code_path = "household__area_code"


class Household(models.Model):
    """A registered household: 户有卡 (000_6ea9a56b91abd59f.txt §三(四) 建档立卡).

    ``area`` is the 村民小组 where groups are recorded, else the village; ``area_code`` copies its code so
    scoping is one indexed prefix match without a join. ``status`` changes only through
    ``households.services.household_set_status``, which writes a ``HouseholdStatusChange``.
    """

    household_number = models.CharField("户编号", max_length=20, unique=True)
    area = models.ForeignKey("villages.Area", verbose_name="所在村（组）", on_delete=models.PROTECT, related_name="households")
    village = models.ForeignKey(
        "villages.Area", verbose_name="行政村", on_delete=models.PROTECT, related_name="village_households"
    )
    area_code = models.CharField("区划代码", max_length=15, editable=False)
    head_name = models.CharField("户主姓名", max_length=50)
    address = models.CharField("住址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    identification_year = models.PositiveSmallIntegerField("识别（建档立卡）年度")
    category = models.CharField("贫困户属性", max_length=10, choices=HouseholdCategory.choices, default=HouseholdCategory.GENERAL)
    status = models.CharField("状态", max_length=16, choices=HouseholdStatus.choices, default=HouseholdStatus.IDENTIFIED)
    primary_cause = models.CharField("主要致贫原因", max_length=20, choices=PovertyCause.choices)
    # Other causes as delimited codes (",ILLNESS,EDUCATION,") so a LIKE filter works on every database.
    other_causes = models.CharField("其他致贫原因", max_length=200, blank=True, default="")
    other_cause_note = models.CharField("其他原因说明", max_length=100, blank=True)
    monitoring_flag = models.CharField("监测标识", max_length=20, choices=MonitoringFlag.choices, blank=True, default="")
    planned_exit_year = models.PositiveSmallIntegerField("计划脱贫年度", null=True, blank=True)
    exit_date = models.DateField("脱贫日期", null=True, blank=True)
    is_relocated = models.BooleanField("易地扶贫搬迁户", default=False)
    is_zhiguo_minzu = models.BooleanField("直过民族户", default=False)
    member_count = models.PositiveSmallIntegerField("在户人数", default=0, editable=False)
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = "建档立卡户"
        verbose_name_plural = "建档立卡户"
        ordering = ["area_code", "household_number"]
        indexes = [
            models.Index(fields=["area_code"], name="household_area_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["area_code", "household_number"], name="household_area_number_idx"),
            models.Index(fields=["status", "area_code"], name="household_status_area_idx"),
            models.Index(fields=["head_name"], name="household_head_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="household_other_causes_delimited",
                condition=Q(other_causes="") | (Q(other_causes__startswith=",") & Q(other_causes__endswith=",")),
            ),
            models.CheckConstraint(
                name="household_status_valid", condition=Q(status__in=HouseholdStatus.values)
            ),
        ]

    def __str__(self):
        return f"{self.head_name}（{self.household_number}）"

    @property
    def other_cause_list(self) -> list[str]:
        return [code for code in self.other_causes.strip(",").split(",") if code]

    def other_cause_labels(self) -> list[str]:
        labels = dict(PovertyCause.choices)
        return [labels.get(code, code) for code in self.other_cause_list]

    @property
    def masked_phone(self) -> str:
        """The contact phone as pages, PDFs, exports and the API show it (``138****5678``)."""
        from povalleviation.personal_data import mask_phone

        return mask_phone(self.phone)

    @property
    def is_active_record(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_poor(self) -> bool:
        return self.status in POOR_STATUSES


class HouseholdStatusChange(models.Model):
    """One status change: from, to, effective date, why, who, when (DOMAIN.md §3.9).

    Reports compute a household's state as of a date from these rows, never from the current status.
    """

    household = models.ForeignKey(Household, verbose_name="户", on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField("原状态", max_length=16, choices=HouseholdStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=16, choices=HouseholdStatus.choices)
    effective_date = models.DateField("生效日期")
    reason = models.CharField("原因", max_length=300)
    workflow = models.CharField("来源流程", max_length=40, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT)
    at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "户状态变更"
        verbose_name_plural = "户状态变更"
        ordering = ["effective_date", "at", "id"]
        indexes = [models.Index(fields=["household", "effective_date"], name="status_change_household_idx")]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}（{self.effective_date}）"


class HouseholdEvent(models.Model):
    """Every change to a household record: type, who, when and what changed (field → [before, after])."""

    class Type(models.TextChoices):
        REGISTERED = "registered", "建档"
        UPDATED = "updated", "修改户信息"
        STATUS_CHANGED = "status_changed", "状态变更"
        MEMBER_ADDED = "member_added", "新增成员"
        MEMBER_UPDATED = "member_updated", "修改成员"
        MEMBER_REMOVED = "member_removed", "成员减少"
        INCOME_RECORDED = "income_recorded", "登记收入"
        CONDITIONS_RECORDED = "conditions_recorded", "登记两不愁三保障"
        MEASURE_ADDED = "measure_added", "新增帮扶措施"
        HELPER_ASSIGNED = "helper_assigned", "结对帮扶责任人"
        VISIT_RECORDED = "visit_recorded", "记录走访"
        IMPORTED = "imported", "Excel 导入"
        ID_REVEALED = "id_revealed", "查看完整身份证号"
        PHONE_REVEALED = "phone_revealed", "查看完整联系电话"

    household = models.ForeignKey(Household, verbose_name="户", on_delete=models.CASCADE, related_name="events")
    type = models.CharField("类型", max_length=24, choices=Type.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    summary = models.CharField("说明", max_length=300, blank=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)

    objects = HouseholdChildScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "户变更记录"
        verbose_name_plural = "户变更记录"
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.get_type_display()}：{self.summary}"

