"""Enumerations of the fund ledger (DOMAIN.md §5.9). Labels are what users see."""
from django.db import models


class AllocationMethod(models.TextChoices):
    FACTOR = "factor", "因素分配法"
    PROJECT = "project", "项目法"
    OTHER = "other", "其他"


class DisbursementStatus(models.TextChoices):
    """报账 review: township check → county check by two different users (DOMAIN.md §5.9 Review)."""

    RECORDED = "recorded", "待乡级审核"
    TOWNSHIP_CHECKED = "township_checked", "待县级审核"
    SETTLED = "settled", "已审核"
    REJECTED = "rejected", "已退回"


class DelayKind(models.TextChoices):
    """Which planned date a project missed (DOMAIN.md §5.8 planned dates; §5.9 Delay record)."""

    START = "start", "开工延误"
    FINISH = "finish", "完工延误"


class DelayCause(models.TextChoices):
    """滞留延压 causes named by P-FD-10 (000_6ea9a56b91abd59f.txt §八(三十二))."""

    FISCAL_LATE = "fiscal_late", "财政资金拨付不及时、不到位"
    IMPLEMENTATION = "implementation", "项目实施不力"
    PREPARATION = "preparation", "项目前期准备工作不充分"


class ResponsibleParty(models.TextChoices):
    FINANCE = "finance", "财政部门"
    PROJECT_UNITS = "project_units", "项目主管部门和项目实施单位"


# P-FD-10: the cause decides who answers for the delay.
RESPONSIBLE_FOR_CAUSE = {DelayCause.FISCAL_LATE: ResponsibleParty.FINANCE,
                         DelayCause.IMPLEMENTATION: ResponsibleParty.PROJECT_UNITS,
                         DelayCause.PREPARATION: ResponsibleParty.PROJECT_UNITS}


# Disbursements that count as money paid (a rejected voucher never counts).
COUNTED_STATUSES = (DisbursementStatus.RECORDED, DisbursementStatus.TOWNSHIP_CHECKED, DisbursementStatus.SETTLED)
