"""Field history kept as reverse deltas: one ``ValueChange`` row per change of a tracked field.

A row holds the value the field had *before* the change and when it changed. New records and bulk inserts
write nothing; a record's history starts with its first change. The value of field F of object O as of day
D is the old value of the earliest change of (O, F) made after D (local date), or the current value when
there is none (``accounts.history``). Which fields are tracked, and why, is listed in
``accounts.history.TRACKED_FIELDS``; the services that change those fields record the rows in the same
transaction as the change.
"""
from django.conf import settings
from django.db import models

from povalleviation import clock


class ValueChange(models.Model):
    """The previous value of one field of one record, and when it was replaced (DOMAIN.md §6.3: report figures
    "computed from history as of that date")."""

    model = models.CharField("数据表", max_length=64, help_text="app_label.model，如 households.member")
    object_id = models.BigIntegerField("记录编号")
    field = models.CharField("字段", max_length=64)
    old_value = models.TextField("修改前的值", null=True, blank=True, help_text="空值表示修改前为空")
    changed_at = models.DateTimeField("修改时间", default=clock.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "字段修改记录"
        verbose_name_plural = "字段修改记录"
        ordering = ["model", "object_id", "field", "changed_at", "id"]
        indexes = [
            models.Index(fields=["model", "field", "object_id", "changed_at"], name="value_change_lookup_idx"),
        ]

    def __str__(self):
        return f"{self.model}#{self.object_id}.{self.field} @ {self.changed_at:%Y-%m-%d %H:%M}"
