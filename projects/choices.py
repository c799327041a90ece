"""Enumerations of the 项目库 (DOMAIN.md §5.8). Labels are what users see."""
from django.db import models


class ProjectCategory(models.TextChoices):
    """Project types named by the seeds' pathways (000_6ea9a56b91abd59f.txt §三(六)–(十三), §四)."""

    INDUSTRY = "industry", "产业发展"
    INFRASTRUCTURE = "infrastructure", "基础设施"
    PUBLIC_SERVICE = "public_service", "公共服务"
    EMPLOYMENT = "employment", "就业扶贫"
    EDUCATION = "education", "教育扶贫"
    HEALTH = "health", "健康扶贫"
    RELOCATION = "relocation", "易地扶贫搬迁"
    HOUSING = "housing", "危房改造"
    FINANCE = "finance", "金融扶贫"
    ECOLOGY = "ecology", "生态扶贫"
    ASSET_INCOME = "asset_income", "资产收益（光伏等）"
    LIVING_ENVIRONMENT = "living_environment", "人居环境"
    OTHER = "other", "其他"


class BenefitMechanism(models.TextChoices):
    """带贫机制 (DOMAIN.md §5.8 step 1: 就业 / 分红 / 带动)."""

    EMPLOYMENT = "employment", "务工就业"
    DIVIDEND = "dividend", "资产收益分红"
    DRIVE = "drive", "产业带动"
    DIRECT_SUBSIDY = "direct_subsidy", "直接补助到户"
    PUBLIC_BENEFIT = "public_benefit", "公共设施受益"
    OTHER = "other", "其他"


class ProjectStatus(models.TextChoices):
    """申报 → 入库 → 批复 → 实施 → 验收 → 完结 (DOMAIN.md §5.8), plus 退回 and 取消."""

    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已申报"
    RETURNED = "returned", "已退回"
    IN_LIBRARY = "in_library", "已入库"
    APPROVED = "approved", "已批复"
    IN_PROGRESS = "in_progress", "实施中"
    COMPLETED = "completed", "已竣工"
    ACCEPTED = "accepted", "已验收"
    CLOSED = "closed", "已完结"
    CANCELLED = "cancelled", "已取消"


# Statuses in which the plan may still be edited by the proposer.
EDITABLE_STATUSES = {ProjectStatus.DRAFT, ProjectStatus.RETURNED}
# Statuses in which the project has an approved budget (公示 and disbursements allowed).
APPROVED_STATUSES = {ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED, ProjectStatus.ACCEPTED, ProjectStatus.CLOSED}
# Statuses in which money may be paid out against the project (no disbursement before 批复, §5.8 flags).
PAYABLE_STATUSES = {ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED, ProjectStatus.ACCEPTED}
CANCELLABLE_STATUSES = {ProjectStatus.DRAFT, ProjectStatus.SUBMITTED, ProjectStatus.RETURNED, ProjectStatus.IN_LIBRARY, ProjectStatus.APPROVED}


class ProjectEventType(models.TextChoices):
    CREATE = "create", "创建"
    UPDATE = "update", "修改"
    SUBMIT = "submit", "申报"
    RETURN = "return", "退回"
    ADMIT = "admit", "批准入库"
    APPROVE = "approve", "立项批复"
    START = "start", "开工实施"
    COMPLETE = "complete", "竣工"
    ACCEPT = "accept", "验收通过"
    REJECT_ACCEPTANCE = "reject_acceptance", "验收不通过"
    CLOSE = "close", "完结"
    CANCEL = "cancel", "取消"
    PUBLICITY_OPEN = "publicity_open", "发布公示"
    OBJECTION = "objection", "登记异议"
    OBJECTION_RESOLVE = "objection_resolve", "处理异议"


class PublicityKind(models.TextChoices):
    """镇村两级 项目安排 and 资金使用 公示 (004_c61319f7ee03391d.txt §五(十九))."""

    PLAN = "plan", "项目安排公示"
    RESULT = "result", "资金使用公示"


class ObjectionChannel(models.TextChoices):
    """Channels named in DOMAIN.md §3.10 (Objection)."""

    ON_SITE = "on_site", "现场"
    TOWNSHIP = "township", "乡镇"
    COUNTY_OFFICE = "county_office", "县扶贫办"
    HOTLINE_12317 = "hotline_12317", "12317 热线"
    PETITION = "petition", "信访"
    MEDIA = "media", "媒体"
    INSPECTION = "inspection", "督查"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", "待处理"
    UPHELD = "upheld", "异议成立"
    DISMISSED = "dismissed", "异议不成立"


# ----- fund sources: the vocabulary of a project's budget, and of the fund ledger above (funds)

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
