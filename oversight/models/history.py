"""What every history row of an oversight matter records: who acted, when, and the note they left. The
complaint and rectification histories add the event, the statuses before and after and the figures in force
after the step (DOMAIN.md §5.0 rule 6)."""
from django.conf import settings
from django.db import models


class HistoryRow(models.Model):
    """One step of a matter: ``event`` (with its ``get_event_display``) and the state fields are declared by the
    concrete history, which also names its parent and its index."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间")
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_event_display()} {self.at:%Y-%m-%d}"
