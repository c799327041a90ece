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

from django.db.models import Q

from assessments.workflows.models import ApprovalChain, WorkflowType
from povalleviation.access import Capability as C
from povalleviation.errors import ApplicationError
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


V, T, CO, CI, P = AreaLevel.VILLAGE, AreaLevel.TOWNSHIP, AreaLevel.COUNTY, AreaLevel.CITY, AreaLevel.PROVINCE

DEFAULT_CHAINS = {
    # 村民小组提名 → 村级评议 → (村内公示 ⚠) → 乡级初核 → 县级组织考核审定 → (公告 ⚠): 000_6ea9a56b91abd59f.txt
    # §三(四); the 公示/公告 steps per national 厅字〔2016〕16号 (DOMAIN.md §5.1, I-15).
    WorkflowType.HOUSEHOLD_EXIT: [
        step("nominate", "村民小组提名", V, C.EXIT_NOMINATE, "start"),
        step("village_review", "村级民主评议", V, C.EXIT_VILLAGE_REVIEW, "meeting"),
        step("village_publicity", "村内公示", V, C.PUBLICITY_MANAGE, "publicity", upheld_to="village_review"),
        step("township_check", "乡级初核", T, C.EXIT_APPROVE_TOWNSHIP),
        step("county_approve", "县级审定", CO, C.EXIT_APPROVE_COUNTY),
        step("announce", "公告退出", CO, C.EXIT_ANNOUNCE, "announcement"),
    ],
    # 村级申请 → 乡级初评 → 县级初核 → 市级组织考核审定 (000_6ea9a56b91abd59f.txt §三(四)).
    WorkflowType.VILLAGE_EXIT: [
        step("apply", "村级申请", V, C.VILLAGE_EXIT_APPLY, "start"),
        step("township_assess", "乡级初评", T, C.VILLAGE_EXIT_ASSESS_TOWNSHIP),
        step("county_check", "县级初核", CO, C.VILLAGE_EXIT_CHECK_COUNTY),
        step("city_approve", "市级审定", CI, C.VILLAGE_EXIT_APPROVE_CITY),
    ],
    # 县级申请 → 市级初核 → 省级组织考核审定 (000_6ea9a56b91abd59f.txt §三(四)).
    WorkflowType.COUNTY_EXIT: [
        step("apply", "县级申请", CO, C.COUNTY_EXIT_APPLY, "start"),
        step("city_check", "市级初核", CI, C.COUNTY_EXIT_CHECK_CITY),
        step("province_approve", "省级审定", P, C.COUNTY_EXIT_APPROVE_PROVINCE),
    ],
    # 申请 → 民主评议 → 村公示 → 乡镇审核 → 乡公示 → 比对（县级审定）→ 公告 (DOMAIN.md §5.5, ⚠ "两公示一比对一公告").
    WorkflowType.IDENTIFICATION: [
        step("apply", "农户申请", V, C.IDENTIFICATION_PROPOSE, "start"),
        step("village_review", "村级民主评议", V, C.EXIT_VILLAGE_REVIEW, "meeting"),
        step(
            "village_publicity",
            "村内第一次公示",
            V,
            C.PUBLICITY_MANAGE,
            "publicity",
            upheld_to="village_review",
        ),
        step("township_review", "乡镇审核", T, C.IDENTIFICATION_APPROVE_TOWNSHIP),
        step(
            "township_publicity",
            "乡镇第二次公示",
            T,
            C.PUBLICITY_MANAGE,
            "publicity",
            upheld_to="village_review",
        ),
        step("county_comparison", "信息比对与县级审定", CO, C.IDENTIFICATION_APPROVE_COUNTY, "comparison"),
        step("announce", "公告纳入", CO, C.EXIT_ANNOUNCE, "announcement"),
    ],
    # 返贫: the identification chain, the county decides (DOMAIN.md §5.6, §8 Q20).
    WorkflowType.RETURN_TO_POVERTY: [
        step("propose", "返贫申报", V, C.RETURN_PROPOSE, "start"),
        step("village_review", "村级民主评议", V, C.EXIT_VILLAGE_REVIEW, "meeting"),
        step("village_publicity", "村内公示", V, C.PUBLICITY_MANAGE, "publicity", upheld_to="village_review"),
        step("township_review", "乡镇审核", T, C.IDENTIFICATION_APPROVE_TOWNSHIP),
        step("county_decide", "县级审定", CO, C.IDENTIFICATION_APPROVE_COUNTY),
    ],
}

LEVEL_VALUES = set(AreaLevel.values)


def validate_steps(steps) -> list[dict]:
    """Check an override's steps; returns them normalised or raises ApplicationError naming the problem."""
    if not isinstance(steps, list) or len(steps) < 2:
        raise ApplicationError("审核步骤至少包括发起和一个审核步骤", field_errors={"steps": "至少两个步骤"})
    codes = set()
    normalised = []
    for index, item in enumerate(steps):
        if not isinstance(item, dict):
            raise ApplicationError(f"第 {index + 1} 步格式不正确", field_errors={"steps": "格式不正确"})
        missing = [key for key in ("code", "label", "level", "capability", "kind") if not item.get(key)]
        if missing:
            raise ApplicationError(
                f"第 {index + 1} 步缺少：{'、'.join(missing)}", field_errors={"steps": "步骤信息不全"}
            )
        if item["kind"] not in STEP_KINDS:
            raise ApplicationError(
                f"第 {index + 1} 步的类型“{item['kind']}”无效", field_errors={"steps": "步骤类型无效"}
            )
        if (index == 0) != (item["kind"] == "start"):
            raise ApplicationError(
                "第一步必须是发起（申请或提名），且只能有一个发起步骤", field_errors={"steps": "发起步骤有误"}
            )
        if item["level"] not in LEVEL_VALUES:
            raise ApplicationError(f"第 {index + 1} 步的层级无效", field_errors={"steps": "层级无效"})
        if item["capability"] not in C.values:
            raise ApplicationError(
                f"第 {index + 1} 步的权限“{item['capability']}”不存在", field_errors={"steps": "权限无效"}
            )
        if item["code"] in codes:
            raise ApplicationError(f"步骤代码“{item['code']}”重复", field_errors={"steps": "步骤代码重复"})
        codes.add(item["code"])
        normalised.append(dict(item))
    for item in normalised:
        target = item.get("upheld_to")
        if item["kind"] == "publicity":
            target = target or next(
                (s["code"] for s in normalised if s["kind"] == "meeting"), normalised[1]["code"]
            )
            if target not in codes or target == normalised[0]["code"]:
                raise ApplicationError("异议成立后的退回步骤无效", field_errors={"steps": "异议退回步骤无效"})
            item["upheld_to"] = target
    return normalised


def chain_for(*, workflow_type: str, area, year: int) -> tuple[list[dict], str]:
    """The chain in force for a subject: the most specific ancestor's active override covering the year,
    else the default. Returns (steps, source description)."""
    codes = [*area.ancestor_codes(), area.code]
    override = (
        ApprovalChain.objects.filter(
            workflow_type=workflow_type, is_active=True, area__code__in=codes, year_from__lte=year
        )
        .filter(Q(year_to__isnull=True) | Q(year_to__gte=year))
        .select_related("area")
        # Codes are zero-padded, so a descendant's code sorts after its ancestors'.
        .order_by("-area__code", "-year_from", "-id")
        .first()
    )
    if override is not None:
        return [dict(s) for s in override.steps], f"{override.area.name}配置（{override.note}）"
    return [dict(s) for s in DEFAULT_CHAINS[workflow_type]], "默认流程（DOMAIN.md §5）"
