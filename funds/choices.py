"""Enumerations of the fund ledger (DOMAIN.md §5.9). Labels are what users see."""
from django.db import models


class SourceLevel(models.TextChoices):
    """Level that provides the money (DOMAIN.md §5.9 FundAllocation: 中央 / 省 / 市 / 县(区) / 乡)."""

    CENTRAL = "central", "中央"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县（区）级"
    TOWNSHIP = "township", "乡镇级"
    SOCIAL = "social", "社会帮扶"


# Upper levels for the local-contribution ratio (P-FD-04, P-FD-05: local ÷ (中央 + 省 + 市)).
UPPER_LEVELS = (SourceLevel.CENTRAL, SourceLevel.PROVINCE, SourceLevel.CITY)


class FundKind(models.TextChoices):
    """Fund kinds named in DOMAIN.md §5.9 (001 §三(四); 004 §二(四), §五(十九); 003 §三.13)."""

    SPECIAL = "special", "财政专项扶贫资金"
    INTEGRATED = "integrated", "统筹整合涉农资金"
    BOND = "bond", "新增政府债券"
    PAIRED = "paired", "对口帮扶资金"
    DESIGNATED = "designated", "定点帮扶资金"
    DONATION = "donation", "社会捐赠"
    FIRST_SECRETARY = "first_secretary", "第一书记项目资金"
    INTEREST_SUBSIDY = "interest_subsidy", "贴息资金"


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

# Default fund sources (code, name, level, kind); loaded by ``fund_sources_ensure``.
DEFAULT_SOURCES = [
    ("central_special", "中央财政专项扶贫资金", SourceLevel.CENTRAL, FundKind.SPECIAL),
    ("province_special", "省级财政专项扶贫资金", SourceLevel.PROVINCE, FundKind.SPECIAL),
    ("city_special", "市级财政专项扶贫资金", SourceLevel.CITY, FundKind.SPECIAL),
    ("county_special", "县级财政专项扶贫资金", SourceLevel.COUNTY, FundKind.SPECIAL),
    ("county_integrated", "县级统筹整合涉农资金", SourceLevel.COUNTY, FundKind.INTEGRATED),
    ("province_bond", "新增政府债券扶贫切块", SourceLevel.PROVINCE, FundKind.BOND),
    ("social_paired", "对口帮扶资金", SourceLevel.SOCIAL, FundKind.PAIRED),
    ("social_donation", "社会捐赠资金", SourceLevel.SOCIAL, FundKind.DONATION),
]
