"""Which approval chain applies: the default tables (``assessments.workflows.default_chains``) or an area's
``ApprovalChain`` override (DOMAIN.md §8 Q5), and the check of an override's steps."""
from django.db.models import Q

from assessments.workflows.default_chains import DEFAULT_CHAINS, DEFAULT_SOURCE, STEP_KINDS
from assessments.workflows.models import ApprovalChain
from povalleviation.access import Capability
from povalleviation.errors import ApplicationError
from villages.choices import AreaLevel

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
        if item["capability"] not in Capability.values:
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
    return [dict(s) for s in DEFAULT_CHAINS[workflow_type]], DEFAULT_SOURCE
