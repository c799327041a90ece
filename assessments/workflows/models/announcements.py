"""公告: the county's announcement of a batch of households that passed 县级审定 (DOMAIN.md §5.1 step 7 ⚠,
"公告 (batch)"; §3.10 Publicity / Announcement).

One row per announcement, with its number (文号), date and the frozen list it published (content + SHA-256).
Every verification it completed points at it, so the household's exit date is the announcement date
(DOMAIN.md §8 Q21).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from povalleviation.access import ScopedQuerySet

__all__ = ["Announcement"]


class AnnouncementQuerySet(ScopedQuerySet):
    area_code_path = "scope_code"


class Announcement(models.Model):
    """公告 of one batch: the households of one township (or the whole county) that reached 公告 together.

    The seeds require a 公告公示制度 (000_6ea9a56b91abd59f.txt §五(二十)) and "脱贫一个、验收一个、销号一个"
    (000_6ea9a56b91abd59f.txt §三(四)); the 公告 step itself is ⚠ national practice (厅字〔2016〕16号, DOMAIN.md
    §5.1, I-15). The list shows what a 公示 may show — 户主 name, household size, 村民小组, reason — never an
    ID number (DOMAIN.md §5.1 step 3, §8 Q6).
    """

    workflow_type = models.CharField("流程类别", max_length=20)
    issuer = models.ForeignKey(
        "villages.Area", verbose_name="发布单位", on_delete=models.PROTECT, related_name="announcements"
    )
    scope = models.ForeignKey(
        "villages.Area", verbose_name="公告范围", on_delete=models.PROTECT, related_name="+"
    )
    scope_code = models.CharField("范围区划代码", max_length=15, editable=False)
    year = models.PositiveSmallIntegerField("年度")
    sequence = models.PositiveIntegerField("序号")
    number = models.CharField("公告编号", max_length=60)
    title = models.CharField("标题", max_length=120)
    announced_on = models.DateField("公告日期")
    content = models.JSONField("公告内容")
    content_sha256 = models.CharField("公告内容 SHA-256", max_length=64)
    household_count = models.PositiveIntegerField("户数")
    person_count = models.PositiveIntegerField("人数")
    note = models.TextField("说明", blank=True)
    announced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("发布时间", auto_now_add=True)

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        verbose_name = "公告"
        verbose_name_plural = "公告"
        ordering = ["-announced_on", "-id"]
        indexes = [
            models.Index(
                fields=["scope_code"], name="announcement_scope_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "year", "sequence"], name="announcement_number_unique_per_issuer_year"
            ),
            models.CheckConstraint(name="announcement_has_households", condition=Q(household_count__gt=0)),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"
