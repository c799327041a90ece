"""The identification 比对: department lists loaded per county and the hits found for a candidate household
(DOMAIN.md §5.5, §5.11)."""

from django.conf import settings
from django.db import models

from povalleviation.access import ScopedQuerySet

__all__ = ["ExternalListKind", "ExternalListEntry", "ComparisonMatch", "BLOCKING_LIST_KINDS"]


class ExternalListKind(models.TextChoices):
    """Lists of other departments used in the identification 比对 (DOMAIN.md §5.5, §5.11)."""

    DIBAO = "dibao", "低保"
    TEKUN = "tekun", "特困供养"
    PUBLIC_EMPLOYEE = "public_employee", "财政供养/公职人员"
    VEHICLE = "vehicle", "车辆登记"
    COMMERCIAL_HOUSING = "commercial_housing", "商品房登记"
    BUSINESS = "business", "工商登记（企业法人或股东）"


# A match on these lists means "不符合识别条件" unless explained; 低保/特困 matches are informative.
BLOCKING_LIST_KINDS = {
    ExternalListKind.PUBLIC_EMPLOYEE,
    ExternalListKind.VEHICLE,
    ExternalListKind.COMMERCIAL_HOUSING,
    ExternalListKind.BUSINESS,
}


class ExternalListEntry(models.Model):
    """One person on a department's list for a county (低保, 财政供养, 车辆, 商品房 …), loaded by
    ``manage.py load_external_list``. Cross-checking registers is policy: 低保/特困/建档立卡 比对 every
    quarter (001_5bc03b4b95b81c94.txt §二(一)3) and 两项制度衔接 (004_c61319f7ee03391d.txt §四(十八))."""

    area = models.ForeignKey(
        "villages.Area", verbose_name="县", on_delete=models.PROTECT, related_name="external_list_entries"
    )
    kind = models.CharField("名单", max_length=20, choices=ExternalListKind.choices)
    id_number = models.CharField("身份证号", max_length=18)
    name = models.CharField("姓名", max_length=50)
    note = models.CharField("说明", max_length=200, blank=True)
    source_file = models.CharField("来源文件", max_length=200, blank=True)
    loaded_at = models.DateTimeField("导入时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "部门比对名单"
        verbose_name_plural = "部门比对名单"
        ordering = ["area__code", "kind", "id"]
        indexes = [models.Index(fields=["id_number", "kind"], name="external_list_id_kind_idx")]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.name}"


class ComparisonMatch(models.Model):
    """One hit of the identification 比对: a person of the candidate household found on a department list or
    earlier in the register. Blocking hits ("不符合识别条件") need a written explanation before the county
    decides (DOMAIN.md §5.5 ⚠ "两公示一比对一公告"; strict identification, 003_4668418ac55f704e.txt §五.24;
    incomes checked household by household, 001_5bc03b4b95b81c94.txt §三(一); list 比对,
    001_5bc03b4b95b81c94.txt §二(一)3)."""

    verification = models.ForeignKey(
        "assessments.Verification", verbose_name="流程", on_delete=models.CASCADE, related_name="matches"
    )
    member = models.ForeignKey(
        "households.Member", verbose_name="成员", null=True, blank=True, on_delete=models.SET_NULL
    )
    person_name = models.CharField("姓名", max_length=50)
    masked_id_number = models.CharField("身份证号（脱敏）", max_length=18)
    source = models.CharField("比对来源", max_length=20)
    source_label = models.CharField("比对来源名称", max_length=60)
    detail = models.CharField("比对结果", max_length=300)
    is_blocking = models.BooleanField("不符合识别条件", default=False)
    explanation = models.TextField("核实说明", blank=True)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="说明人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    explained_at = models.DateTimeField("说明时间", null=True, blank=True)
    run_at = models.DateTimeField("比对时间")

    class Meta:
        verbose_name = "比对结果"
        verbose_name_plural = "比对结果"
        ordering = ["-is_blocking", "id"]

    def __str__(self):
        return f"{self.person_name} {self.source_label}"
