"""Enumerations of the 问题整改台账 and the complaint/petition ledger (DOMAIN.md §5.10, §3.10)."""
from django.db import models


class SourceKind(models.TextChoices):
    """Where a finding came from: DOMAIN.md §5.10 "source kind"; 002_3c24fdc0372bba72.txt §二(六) names the 2017
    sources of 新平 (成效考核, 专项督导, 自查自纠, 交叉检查, 专项巡察); 暗访 (004 §六(二十五)); 审计 (001 §三(四))."""

    EFFECTIVENESS_ASSESSMENT = "assessment", "成效考核"
    SPECIAL_SUPERVISION = "special_supervision", "专项督导"
    SELF_CHECK = "self_check", "自查自纠"
    CROSS_CHECK = "cross_check", "交叉检查"
    TOUR_INSPECTION = "tour_inspection", "巡视巡察"
    SUPERVISION = "supervision", "督查巡查"
    UNANNOUNCED_VISIT = "unannounced", "暗访"
    AUDIT = "audit", "审计"
    THIRD_PARTY = "third_party", "第三方评估"
    HOTLINE_12317 = "hotline_12317", "12317 热线"
    MEDIA = "media", "媒体"


class ItemStatus(models.TextChoices):
    """RectificationItem states (DOMAIN.md §5.10)."""

    OPEN = "open", "待整改"
    IN_PROGRESS = "in_progress", "整改中"
    SUBMITTED = "submitted", "已申请销号"
    VERIFIED = "verified", "已对账"
    CLOSED = "closed", "已销号"
    REOPENED = "reopened", "重新整改"


_S = ItemStatus
# Every state except 销号 counts as "open" (not yet rectified) in the ledger and the reports (§6.2).
OPEN_ITEM_STATUSES = [_S.OPEN, _S.IN_PROGRESS, _S.SUBMITTED, _S.VERIFIED, _S.REOPENED]
# States in which the responsible unit may still add progress notes and evidence (frozen once submitted).
WORKABLE_ITEM_STATUSES = {_S.OPEN, _S.IN_PROGRESS, _S.REOPENED}


class ItemEvent(models.TextChoices):
    CREATE = "create", "交办"
    PROGRESS = "progress", "报送整改进展"
    SUBMIT = "submit", "申请销号"
    VERIFY = "verify", "对账通过"
    RETURN = "return", "对账退回"
    CLOSE = "close", "销号"
    REOPEN = "reopen", "重新整改"
    DEADLINE = "deadline", "调整整改时限"


class EscalationKind(models.TextChoices):
    """约谈 / 通报 of units whose rectification is overdue (003_4668418ac55f704e.txt §五.25; 001 §三(八))."""

    TALK = "talk", "约谈"
    CIRCULAR = "circular", "通报"


class ComplaintChannel(models.TextChoices):
    """Channels of DOMAIN.md §3.10 (Objection): 现场 / 乡镇 / 县扶贫办 / 12317 / 信访 / 媒体 / 督查."""

    HOTLINE_12317 = "hotline_12317", "12317 热线"
    PETITION = "petition", "信访"
    ON_SITE = "on_site", "现场"
    TOWNSHIP = "township", "乡镇"
    COUNTY_OFFICE = "county_office", "县扶贫办"
    MEDIA = "media", "媒体"
    INSPECTION = "inspection", "督查"


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", "已受理"
    ASSIGNED = "assigned", "已交办"
    HANDLING = "handling", "办理中"
    REPLIED = "replied", "已答复"
    CLOSED = "closed", "已办结"


class ComplaintEvent(models.TextChoices):
    RECEIVE = "receive", "受理登记"
    ASSIGN = "assign", "交办"
    HANDLE = "handle", "开始办理"
    REPLY = "reply", "答复"
    CLOSE = "close", "办结"
    DEADLINE = "deadline", "调整答复期限"


NOT_REPLIED_STATUSES = [ComplaintStatus.RECEIVED, ComplaintStatus.ASSIGNED, ComplaintStatus.HANDLING]

# Default reply period in calendar days by channel (design, ⚠ NOT FROM SEEDS — DOMAIN.md §4 sets none):
# 信访: 60 days from 受理, the national 《信访工作条例》(2022) 第三十二条 / 《信访条例》(2005) 第三十三条 limit;
# every other channel, 12317 included: 15 days, the 《信访条例》 limit for telling the person how the matter is taken
# up, used here as the reply target for hotline calls and direct complaints. The officer may change the deadline.
DEFAULT_REPLY_DAYS = {channel: 15 for channel in ComplaintChannel.values} | {ComplaintChannel.PETITION: 60}
# Default 整改时限 when an inspection gives none: 90 calendar days from the feedback date (design, ⚠ NOT FROM
# SEEDS: the seeds require 整改时限 per problem but set no length; three months is common 巡视/督查 practice).
DEFAULT_RECTIFICATION_DAYS = 90
