"""Complaints and petitions: 12317 扶贫热线, 信访 and the other channels (DOMAIN.md §3.10 channels; 12317 in
004_c61319f7ee03391d.txt §五(二十二) "及时受理解决基层群众反映的各类问题和需求"; 接受社会、媒体监督 000 §三(四))."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from povalleviation.access import ScopedQuerySet
from povalleviation.personal_data import mask_name, mask_phone

from ..choices import NOT_REPLIED_STATUSES as NOT_REPLIED
from ..choices import ComplaintChannel, ComplaintEvent, ComplaintStatus
from .history import HistoryRow


class ComplaintQuerySet(ScopedQuerySet):
    area_code_path = "area_code"

    def within_code(self, prefix: str):
        return self.filter(area_code__startswith=prefix)


class Complaint(models.Model):
    """One complaint or petition: received, assigned to an area, handled, replied, closed, with a reply deadline.

    ``area`` is where the matter is handled (set on 交办, only ever moved down the tree); ``received_area_code``
    keeps the office that took it, which also closes it. Complainant name and phone are optional and shown
    masked everywhere; the full contact only through an audited reveal. A linked household must lie inside ``area``.
    """

    number = models.CharField("编号", max_length=24, unique=True, editable=False)
    channel = models.CharField("渠道", max_length=20, choices=ComplaintChannel.choices)
    received_at = models.DateTimeField("受理时间")
    complainant_name = models.CharField("反映人姓名", max_length=50, blank=True)
    complainant_phone = models.CharField("联系电话", max_length=20, blank=True)
    content = models.TextField("反映内容")
    area = models.ForeignKey("villages.Area", verbose_name="办理区域", on_delete=models.PROTECT, related_name="+")
    area_code = models.CharField("区划代码", max_length=15, editable=False)
    received_area_code = models.CharField("受理单位区划代码", max_length=15, editable=False)
    household = models.ForeignKey("households.Household", verbose_name="涉及建档立卡户", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    handling_unit = models.CharField("承办单位", max_length=100, blank=True)
    reply_deadline = models.DateField("答复期限")
    status = models.CharField("状态", max_length=10, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED)
    reply_text = models.TextField("答复内容", blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="受理人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField("演示数据", default=False)
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = "投诉信访"
        verbose_name_plural = "投诉信访"
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["area_code"], name="complaint_area_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["status", "reply_deadline"], name="complaint_status_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(name="complaint_status_valid", condition=Q(status__in=ComplaintStatus.values)),
            models.CheckConstraint(name="complaint_channel_valid", condition=Q(channel__in=ComplaintChannel.values)),
        ]

    def __str__(self):
        return self.number

    @property
    def is_overdue(self) -> bool:
        """Not yet replied and past its reply deadline today."""
        return self.status in NOT_REPLIED and self.reply_deadline < timezone.localdate()

    @property
    def masked_name(self) -> str:
        return mask_name(self.complainant_name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.complainant_phone)


class ComplaintHistoryQuerySet(ScopedQuerySet):
    area_code_path = "complaint__area_code"


class ComplaintHistory(HistoryRow):
    """Every step of a complaint: who, when, from, to, note, with the handling area and reply deadline in force
    after the step (the as-of figures of the reports come from these rows)."""

    complaint = models.ForeignKey(Complaint, verbose_name="投诉信访", on_delete=models.CASCADE, related_name="history")
    event = models.CharField("事件", max_length=10, choices=ComplaintEvent.choices)
    from_status = models.CharField("原状态", max_length=10, choices=ComplaintStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=10, choices=ComplaintStatus.choices)
    area_code = models.CharField("办理区域代码", max_length=15)
    reply_deadline = models.DateField("答复期限")

    objects = ComplaintHistoryQuerySet.as_manager()

    class Meta(HistoryRow.Meta):
        verbose_name = "投诉信访办理记录"
        verbose_name_plural = "投诉信访办理记录"
        indexes = [models.Index(fields=["complaint", "at"], name="complaint_history_at_idx")]
