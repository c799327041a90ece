"""Deterministic demo ledgers for 新平县 (530427): one inspection per 2017 problem source named in
002_3c24fdc0372bba72.txt §二(六) (省市成效考核, 易地扶贫搬迁专项督导, 自查自纠, 交叉检查, 市委专项巡察), findings under
the 4 大类 the seed names (目标精准把握, 政策举措落实, 帮扶工作, 扶贫资金使用管理), items in every state — some
overdue, some closed — and a few 12317 complaints. Built through the services with fixed offsets from today (no
randomness, nothing in the future); loading twice changes nothing.
"""
import datetime

from django.db import transaction
from django.utils import timezone

from households.models import Household
from villages.models import Area

from . import services
from .models import Complaint, Inspection

COUNTY_CODE = "530427000000"
CITY_CODE = "530400000000"
CATEGORIES = {
    "目标精准把握": ["建档立卡信息与实际不符，个别户收入测算不准确", "动态管理不及时，自然减少人口未及时标注"],
    "政策举措落实": ["健康扶贫“先诊疗后付费”政策落实不到位", "危房改造竣工验收资料不完整"],
    "帮扶工作": ["帮扶责任人走访不到位，帮扶手册填写不规范", "驻村工作队员在岗时间不足"],
    "扶贫资金使用管理": ["扶贫项目资金拨付滞后，支出进度偏慢", "项目资金使用情况未按要求公告公示"],
}
# (source kind, title, issuer) — the 2017 sources of 新平's problem list.
SOURCES = [
    ("assessment", "2017年度省市扶贫开发成效考核反馈问题", CITY_CODE, "玉溪市扶贫开发领导小组办公室"),
    ("special_supervision", "易地扶贫搬迁专项督导反馈问题", COUNTY_CODE, "新平县易地扶贫搬迁专项督导组"),
    ("self_check", "脱贫攻坚自查自纠发现问题", COUNTY_CODE, "新平县扶贫开发领导小组办公室"),
    ("cross_check", "脱贫攻坚交叉检查反馈问题", COUNTY_CODE, "新平县交叉检查组"),
    ("tour_inspection", "市委脱贫攻坚专项巡察反馈问题", CITY_CODE, "中共玉溪市委第三巡察组"),
]
# Target state of the n-th item (cycled): the demo shows every state, overdue ones included.
PLAN = ["closed", "closed", "verified", "submitted", "in_progress", "overdue_in_progress", "overdue_open", "reopened"]
COMPLAINTS = [
    ("hotline_12317", 60, "closed", "反映所在村帮扶干部长期未入户走访。"),
    ("hotline_12317", 45, "replied", "咨询易地扶贫搬迁安置房入住时间。"),
    ("hotline_12317", 40, "received", "反映村里产业扶贫项目分红未按时发放。"),
    ("hotline_12317", 12, "handling", "反映家中老人住院自付费用过高，询问报销政策。"),
    ("petition", 30, "assigned", "来信反映危房改造补助评定不公。"),
    ("hotline_12317", 3, "received", "反映村委会未公示扶贫项目资金使用情况。"),
]


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _drive(item, plan, base):
    """Walk one item to its planned state; every step dated in the past, in order."""
    progress = "已制定整改方案，逐户核实并完善资料。"
    if plan in ("open", "overdue_open"):
        return
    services.rectification_progress_add(actor=None, item=item, text=progress, at=_at(base + datetime.timedelta(days=10)))
    if plan in ("in_progress", "overdue_in_progress"):
        return
    services.rectification_item_submit(actor=None, item=item, summary="已按要求完成整改，申请销号。",
                                       at=_at(base + datetime.timedelta(days=30)))
    if plan == "submitted":
        return
    if plan == "reopened":
        services.rectification_item_verify(actor=None, item=item, passed=False, note="佐证材料不足，退回重新整改。",
                                           at=_at(base + datetime.timedelta(days=35)))
        return
    services.rectification_item_verify(actor=None, item=item, passed=True, note="对账无误。",
                                       at=_at(base + datetime.timedelta(days=35)))
    if plan == "closed":
        services.rectification_item_close(actor=None, item=item, note="同意销号。", at=_at(base + datetime.timedelta(days=40)))


@transaction.atomic
def load_demo_oversight() -> int:
    """Create the demo ledgers once; returns the number of rectification items created (0 when present)."""
    county = Area.objects.filter(code=COUNTY_CODE).first()
    if county is None or Inspection.objects.filter(is_demo=True, area_code__startswith=county.scope_prefix).exists():
        return 0
    today = timezone.localdate()
    townships = list(Area.objects.within(county).filter(level="township").order_by("code")[:5])
    villages = {t.pk: list(Area.objects.filter(parent=t, level="village").order_by("code")[:2]) for t in townships}
    created = 0
    for number, (kind, title, issuer_code, issuer_unit) in enumerate(SOURCES):
        feedback = today - datetime.timedelta(days=150 - 12 * number)
        findings = []
        for category, problems in CATEGORIES.items():
            items = []
            for problem in problems:
                township = townships[created % len(townships)]
                choices = villages[township.pk] or [township]
                area = choices[created % len(choices)]
                plan = PLAN[created % len(PLAN)]
                overdue = plan.startswith("overdue")
                items.append({"problem": problem, "area": area, "responsible_unit": f"{township.name}人民政府",
                              "responsible_person": "分管副乡（镇）长", "measures": "明确责任人，限期逐项整改，对账销号。",
                              "deadline": feedback + datetime.timedelta(days=60 if overdue else 200),
                              "at": _at(feedback + datetime.timedelta(days=1)), "_plan": plan})
                created += 1
            findings.append({"category": category, "text": f"{category}方面存在的问题", "items": items})
        plans = [item.pop("_plan") for finding in findings for item in finding["items"]]
        inspection = services.inspection_create(
            actor=None, issuer_area=Area.objects.get(code=issuer_code), area=county, is_demo=True,
            data={"title": title, "source_kind": kind, "issuer_unit": issuer_unit, "document_number": f"新脱贫办〔{today.year}〕{number + 1}号",
                  "started_on": feedback - datetime.timedelta(days=20), "ended_on": feedback - datetime.timedelta(days=7),
                  "feedback_on": feedback, "qualitative_summary": "脱贫攻坚工作总体推进有力，但在精准识别、政策落实、帮扶成效和资金管理方面仍存在薄弱环节。",
                  "quantitative_summary": f"共反馈问题 {len(plans)} 个，涉及 4 个大类。"},
            findings=findings)
        items = [item for finding in inspection.findings.order_by("number") for item in finding.items.order_by("id")]
        for item, plan in zip(items, plans, strict=True):
            _drive(item, plan, feedback)
            if plan == "overdue_open":
                services.escalation_record(actor=None, item=item, kind="talk", escalated_on=item.deadline + datetime.timedelta(days=5),
                                           target=item.responsible_unit, note="超期未整改，约谈主要负责人。")
    _load_complaints(county, today)
    return created


def _load_complaints(county, today):
    if Complaint.objects.filter(is_demo=True, area_code__startswith=county.scope_prefix).exists():
        return
    township = Area.objects.within(county).filter(level="township").order_by("code").first()
    household = Household.objects.filter(area_code__startswith=township.scope_prefix).order_by("household_number").first() if township else None
    for index, (channel, days_ago, target, content) in enumerate(COMPLAINTS):
        received = today - datetime.timedelta(days=days_ago)
        complaint = services.complaint_receive(
            actor=None, area=county, channel=channel, received_at=_at(received, 9), content=content,
            complainant_name="" if index % 3 == 2 else ("王" + "某" * (1 + index % 2)),
            complainant_phone="" if index % 3 == 2 else f"1380000{1000 + index:04d}",
            household=household if index == 0 else None, is_demo=True)
        if target == "received" or township is None:
            continue
        services.complaint_assign(actor=None, complaint=complaint, area=township, handling_unit=f"{township.name}人民政府",
                                  at=_at(received, 15))
        if target == "assigned":
            continue
        services.complaint_start_handling(actor=None, complaint=complaint, at=_at(received + datetime.timedelta(days=1)))
        if target == "handling":
            continue
        services.complaint_reply(actor=None, complaint=complaint, reply_text="经乡镇核实，已督促整改并电话回复反映人。",
                                 at=_at(received + datetime.timedelta(days=8)))
        if target == "closed":
            services.complaint_close(actor=None, complaint=complaint, at=_at(received + datetime.timedelta(days=10)))
