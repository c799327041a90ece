"""Per-area approval chains (DOMAIN.md §5.0 rule 1, §8 Q5): an area may replace a workflow's default chain."""

from django.db import transaction

from accounts.services import audit_record
from assessments.workflows.models import ApprovalChain, WorkflowType
from povalleviation.access import Capability, require
from povalleviation.actors import saved_user
from povalleviation.errors import ApplicationError

from .chains import validate_steps


@transaction.atomic
def approval_chain_set(
    *,
    actor,
    area,
    workflow_type: str,
    year_from: int,
    steps: list[dict],
    note: str,
    year_to: int | None = None,
) -> ApprovalChain:
    """Store an override; earlier active overrides of the same area and workflow starting that year stop.
    Running verifications keep the chain they started with."""
    require(actor, Capability.POLICY_EDIT, area.code)
    if workflow_type not in WorkflowType.values:
        raise ApplicationError("未知的流程类别", field_errors={"workflow_type": "未知的流程类别"})
    if not (note or "").strip():
        raise ApplicationError("请填写依据", field_errors={"note": "必填"})
    steps = validate_steps(steps)
    ApprovalChain.objects.filter(
        area=area, workflow_type=workflow_type, year_from=year_from, is_active=True
    ).update(is_active=False)
    chain = ApprovalChain(
        area=area,
        workflow_type=workflow_type,
        year_from=year_from,
        year_to=year_to,
        steps=steps,
        note=note.strip(),
        created_by=saved_user(actor),
    )
    chain.full_clean()
    chain.save()
    audit_record(
        actor=actor,
        action="approval_chain.set",
        target=chain,
        area=area,
        summary=f"设置{area.name}{chain.get_workflow_type_display()}审核步骤（{year_from} 年起）",
        changes={"steps": [s["code"] for s in steps], "note": chain.note},
    )
    return chain


@transaction.atomic
def approval_chain_reset(*, actor, area, workflow_type: str, note: str) -> int:
    """恢复默认: stop every active override the area itself set for this workflow (the area then inherits
    its ancestors' chain or the default). Rows stay as history; running verifications keep their chain."""
    require(actor, Capability.POLICY_EDIT, area.code)
    if not (note or "").strip():
        raise ApplicationError("请填写原因", field_errors={"note": "必填"})
    stopped = list(
        ApprovalChain.objects.select_for_update().filter(area=area, workflow_type=workflow_type, is_active=True)
    )
    if not stopped:
        raise ApplicationError(f"{area.name}没有自行设置的审核步骤，已在使用上级或默认流程。", code="nothing_to_reset")
    ApprovalChain.objects.filter(pk__in=[c.pk for c in stopped]).update(is_active=False)
    for chain in stopped:
        audit_record(
            actor=actor,
            action="approval_chain.reset",
            target=chain,
            area=area,
            summary=f"停用{area.name}{chain.get_workflow_type_display()}审核步骤配置（{chain.year_from} 年起）：{note.strip()}",
            changes={"note": note.strip()},
        )
    return len(stopped)
