"""The transition tables: each workflow's ordered steps, as data (DOMAIN.md §5.0 rule 1).

A step is a dict: ``code``, ``label``, ``level`` (the level of the post that takes it), ``capability``
and ``kind``:

- ``start``: the application/nomination that creates the verification (step 0);
- ``meeting``: 民主评议, with the meeting record (date, participants, votes, minutes);
- ``publicity``: 公示, opened and later closed; ``upheld_to`` names the step an upheld objection returns to;
- ``approval``: a check or decision (乡级初核, 县级审定, 市级审定 …);
- ``comparison``: the identification 比对 and county decision (blocking matches must be explained);
- ``announcement``: 公告 — the effect on the subject happens here.

The last step's completion completes the workflow. Defaults follow the seed chains; an area may override
them with an ``ApprovalChain`` row (DOMAIN.md §8 Q5).
"""

from assessments.workflows.models import WorkflowType
from povalleviation.access import Capability
from villages.choices import AreaLevel

STEP_KINDS = {"start", "meeting", "publicity", "approval", "comparison", "announcement"}
# Kinds whose completion is a decision (they offer 通过 / 退回 / 不予通过).
DECISION_KINDS = {"meeting", "approval", "comparison", "announcement"}


def step(code, label, level, capability, kind="approval", **extra):
    return {
        "code": code,
        "label": label,
        "level": level,
        "capability": str(capability),
        "kind": kind,
        **extra,
    }


DEFAULT_CHAINS = {
    # 村民小组提名 → 村级评议 → (村内公示 ⚠) → 乡级初核 → 县级组织考核审定 → (公告 ⚠): 000_6ea9a56b91abd59f.txt
    # §三(四); the 公示/公告 steps per national 厅字〔2016〕16号 (DOMAIN.md §5.1, I-15).
    WorkflowType.HOUSEHOLD_EXIT: [
        step("nominate", "村民小组提名", AreaLevel.VILLAGE, Capability.EXIT_NOMINATE, "start"),
        step("village_review", "村级民主评议", AreaLevel.VILLAGE, Capability.EXIT_VILLAGE_REVIEW, "meeting"),
        step("village_publicity", "村内公示", AreaLevel.VILLAGE, Capability.PUBLICITY_MANAGE, "publicity",
             upheld_to="village_review"),
        step("township_check", "乡级初核", AreaLevel.TOWNSHIP, Capability.EXIT_APPROVE_TOWNSHIP),
        step("county_approve", "县级审定", AreaLevel.COUNTY, Capability.EXIT_APPROVE_COUNTY),
        step("announce", "公告退出", AreaLevel.COUNTY, Capability.EXIT_ANNOUNCE, "announcement"),
    ],
    # 村级申请 → 乡级初评 → 县级初核 → 市级组织考核审定 (000_6ea9a56b91abd59f.txt §三(四)).
    WorkflowType.VILLAGE_EXIT: [
        step("apply", "村级申请", AreaLevel.VILLAGE, Capability.VILLAGE_EXIT_APPLY, "start"),
        step("township_assess", "乡级初评", AreaLevel.TOWNSHIP, Capability.VILLAGE_EXIT_ASSESS_TOWNSHIP),
        step("county_check", "县级初核", AreaLevel.COUNTY, Capability.VILLAGE_EXIT_CHECK_COUNTY),
        step("city_approve", "市级审定", AreaLevel.CITY, Capability.VILLAGE_EXIT_APPROVE_CITY),
    ],
    # 县级申请 → 市级初核 → 省级组织考核审定 (000_6ea9a56b91abd59f.txt §三(四)).
    WorkflowType.COUNTY_EXIT: [
        step("apply", "县级申请", AreaLevel.COUNTY, Capability.COUNTY_EXIT_APPLY, "start"),
        step("city_check", "市级初核", AreaLevel.CITY, Capability.COUNTY_EXIT_CHECK_CITY),
        step("province_approve", "省级审定", AreaLevel.PROVINCE, Capability.COUNTY_EXIT_APPROVE_PROVINCE),
    ],
    # 申请 → 民主评议 → 村公示 → 乡镇审核 → 乡公示 → 比对（县级审定）→ 公告 (DOMAIN.md §5.5, ⚠ "两公示一比对一公告").
    WorkflowType.IDENTIFICATION: [
        step("apply", "农户申请", AreaLevel.VILLAGE, Capability.IDENTIFICATION_PROPOSE, "start"),
        step("village_review", "村级民主评议", AreaLevel.VILLAGE, Capability.EXIT_VILLAGE_REVIEW, "meeting"),
        step(
            "village_publicity",
            "村内第一次公示",
            AreaLevel.VILLAGE,
            Capability.PUBLICITY_MANAGE,
            "publicity",
            upheld_to="village_review",
        ),
        step("township_review", "乡镇审核", AreaLevel.TOWNSHIP, Capability.IDENTIFICATION_APPROVE_TOWNSHIP),
        step(
            "township_publicity",
            "乡镇第二次公示",
            AreaLevel.TOWNSHIP,
            Capability.PUBLICITY_MANAGE,
            "publicity",
            upheld_to="village_review",
        ),
        step("county_comparison", "信息比对与县级审定", AreaLevel.COUNTY, Capability.IDENTIFICATION_APPROVE_COUNTY,
             "comparison"),
        step("announce", "公告纳入", AreaLevel.COUNTY, Capability.EXIT_ANNOUNCE, "announcement"),
    ],
    # 返贫: the identification chain, the county decides (DOMAIN.md §5.6, §8 Q20).
    WorkflowType.RETURN_TO_POVERTY: [
        step("propose", "返贫申报", AreaLevel.VILLAGE, Capability.RETURN_PROPOSE, "start"),
        step("village_review", "村级民主评议", AreaLevel.VILLAGE, Capability.EXIT_VILLAGE_REVIEW, "meeting"),
        step("village_publicity", "村内公示", AreaLevel.VILLAGE, Capability.PUBLICITY_MANAGE, "publicity",
             upheld_to="village_review"),
        step("township_review", "乡镇审核", AreaLevel.TOWNSHIP, Capability.IDENTIFICATION_APPROVE_TOWNSHIP),
        step("county_decide", "县级审定", AreaLevel.COUNTY, Capability.IDENTIFICATION_APPROVE_COUNTY),
    ],
}

# Where the default chains come from, as the verification page and the chain list show it.
DEFAULT_SOURCE = "默认流程（新发〔2016〕9号《关于打赢脱贫攻坚战的实施意见》第三部分第（四）项）"
