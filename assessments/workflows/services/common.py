"""The transition engine shared by every workflow (DOMAIN.md §5.0).

The pieces every transition service uses (``transitions``, ``publicity``, the workflow modules): lock the
verification row and refuse a stale ``version`` (409), a step out of order, an actor without the step's
capability at the step's level in the subject's area (403; outside the actor's areas → 404) and
self-approval (the same user on two consecutive steps); write the event with its snapshot, SHA-256 and an
audit record in the caller's transaction; start an attempt and complete a step. Workflow modules register
a handler that builds snapshots and applies the effect on the subject.
"""

import abc
import json

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.services import audit_record
from assessments.workflows.models import Verification, VerificationEvent, VerificationStatus
from povalleviation.access import ROLE_CAPABILITIES, Capability, covers
from povalleviation.actors import saved_user
from povalleviation.digests import COMPACT, canonical_json, json_sha256
from povalleviation.errors import ApplicationError, Conflict, NotFound, PermissionDenied

from .chains import chain_for

Action = VerificationEvent.Action
# Actions that complete the step at their ``step_position``; the latest one names who acted on that step.
COMPLETING_ACTIONS = [Action.START, Action.APPROVE, Action.PUBLICITY_CLOSE, Action.ANNOUNCE]
STALE_MESSAGE = "该流程已被他人处理，请刷新页面查看最新状态后再操作。"


# The form verification snapshots, decision snapshots and publicity/announcement contents are stored and hashed
# in (snapshot_sha256, decision_sha256, content_sha256); changing it would break every stored digest.
SNAPSHOT_JSON = COMPACT


def frozen_copy(data):
    """The JSON form that is stored and hashed (Decimals and dates become strings)."""
    return json.loads(canonical_json(data, SNAPSHOT_JSON))


def sha256_of(data) -> str:
    """SHA-256 of ``data`` in the stored snapshot form (what ``snapshot_sha256``/``decision_sha256`` hold)."""
    return json_sha256(data, SNAPSHOT_JSON)


class WorkflowHandler(abc.ABC):
    """What a workflow adds to the engine. Subclasses set ``workflow_type`` and implement the hooks."""

    workflow_type = ""

    @abc.abstractmethod
    def snapshot(self, verification) -> dict:
        """The data a step decides on, stored with its SHA-256."""

    @abc.abstractmethod
    def publicity_content(self, verification) -> dict:
        """What the 公示 shows (never full ID numbers)."""

    def require_starter(self, actor, area, *, year, today, note, note_label):
        """What every start refuses first: a subject outside the actor's areas, an actor who may not take
        the chain's first step in ``area`` in the year (by default this year), a missing reason.
        Returns (year, note)."""
        require_visible(actor, area.code)
        year = year or (today or timezone.localdate()).year
        steps, _ = chain_for(workflow_type=self.workflow_type, area=area, year=year)
        require_step_actor(actor, steps[0], area.code)
        return year, require_note(note, note_label)

    def check_before_completing(self, verification, step, *, actor, snapshot):
        """Refuse (ApplicationError) when the subject does not allow this step to complete now."""
        return None  # optional hook: nothing to do by default

    def on_complete(self, verification, *, actor, today, snapshot):
        """The workflow's effect on its subject (the household exits, the village's exit date …)."""
        return None  # optional hook: nothing to do by default

    def on_end(self, verification, *, actor, reason, today):
        """Undo what starting did when the attempt is rejected or withdrawn."""
        return None  # optional hook: nothing to do by default

    def on_step_reached(self, verification):
        """Called when a new step starts waiting (e.g. queue the identification 比对)."""
        return None  # optional hook: nothing to do by default


HANDLERS: dict[str, WorkflowHandler] = {}


def register(handler):
    """Register a handler class (instantiated once) or a handler instance."""
    HANDLERS[handler.workflow_type] = handler() if isinstance(handler, type) else handler
    return handler


def handler_for(verification) -> WorkflowHandler:
    return HANDLERS[verification.workflow_type]


def can_take_step(user, step: dict, area_code: str) -> bool:
    """Posted at the step's level, in a role granting its capability, at the subject's area or an ancestor
    (DOMAIN.md §5.0 rule 2). ``None`` is the installation itself (scheduled jobs, commands)."""
    if user is None:
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return any(
        post.area.level == step["level"]
        and step["capability"] in ROLE_CAPABILITIES.get(post.role, ())
        and area_code.startswith(post.area.scope_prefix)
        for post in user.active_posts()
    )


def require_step_actor(user, step: dict, area_code: str):
    if not can_take_step(user, step, area_code):
        raise PermissionDenied(
            f"“{step['label']}”须由{level_label(step['level'])}级有相应权限的人员在本辖区办理，您无权办理。"
        )


def require_visible(user, area_code: str):
    """A record outside the actor's areas is reported as missing (404), like the pages and the API do."""
    if user is not None and not covers(user, Capability.EXIT_VIEW, area_code):
        raise NotFound("找不到该流程，或不在您的工作范围内。")


def level_label(level: str) -> str:
    from villages.choices import AreaLevel

    return AreaLevel(level).label


def stage_of(verification) -> str:
    return verification.stage_label


def set_waiting(verification):
    """The waiting step changed: record it, when it began and its time limit (DOMAIN.md §5.0 rule 7)."""
    from .deadlines import step_due_on

    step = verification.waiting_step
    verification.current_step = step["code"] if step else ""
    verification.waiting_capability = step["capability"] if step else ""
    verification.waiting_level = step["level"] if step else ""
    verification.step_since = timezone.now()
    verification.due_on = (
        step_due_on(verification, step, started=timezone.localdate(verification.step_since)) if step else None
    )


# ``version`` of a caller that acts on whatever is current (a queued task), not on what a page showed.
ANY_VERSION = object()


def locked(verification, *, version) -> Verification:
    """Lock the row and refuse a decision on a record that changed since it was shown."""
    fresh = (
        Verification.objects.select_for_update(of=("self",))
        .select_related("household", "subject_area")
        .get(pk=verification.pk)
    )
    if version is not ANY_VERSION and (version is None or int(version) != fresh.version):
        raise Conflict(STALE_MESSAGE)
    return fresh


def require_open(verification):
    if verification.status != VerificationStatus.IN_PROGRESS:
        raise ApplicationError(f"该流程已{verification.get_status_display()}，不能再办理。", code="closed")


def require_waiting_step(verification, step_code: str | None, *, kind=None, other_kind="") -> dict:
    """The step the verification waits for; naming another one is a skipped (or repeated) step. With
    ``kind``, a step of another kind is refused with ``other_kind`` ("{label}" names the waiting step)."""
    require_open(verification)
    step = verification.waiting_step
    if step_code and step_code != step["code"]:
        raise ApplicationError(
            f"流程当前待“{step['label']}”，不能跳过或重复步骤。",
            code="step_out_of_order",
            field_errors={"step": "步骤不符"},
        )
    if kind and step["kind"] != kind:
        raise ApplicationError(other_kind.replace("{label}", step["label"]), code="step_out_of_order")
    return step


def lock_for_step(actor, verification, *, version, step_code=None, kind=None, other_kind=""):
    """The locked verification and the step it waits for, which ``actor`` may take: what every service
    acting on the waiting step checks first (visible, unchanged since shown, the step, the actor)."""
    require_visible(actor, verification.area_code)
    verification = locked(verification, version=version)
    step = require_waiting_step(verification, step_code, kind=kind, other_kind=other_kind)
    require_step_actor(actor, step, verification.area_code)
    return verification, step


def previous_step_actor_id(verification):
    event = (
        verification.events.filter(step_position=verification.position - 1, action__in=COMPLETING_ACTIONS)
        .order_by("-id")
        .values("actor_id")
        .first()
    )
    return event["actor_id"] if event else None


def refuse_self_approval(verification, actor):
    if actor is None:
        return
    if previous_step_actor_id(verification) == actor.pk:
        raise PermissionDenied(
            "同一人不能办理相邻的两个步骤（不得自己审核自己办理的事项），请由其他人员办理。",
            code="self_approval",
        )


def require_note(note: str, label="意见") -> str:
    note = (note or "").strip()
    if not note:
        raise ApplicationError(f"请填写{label}", field_errors={"note": "必填"})
    return note


def write_event(
    verification,
    *,
    action,
    actor,
    step=None,
    position=None,
    from_stage="",
    note="",
    details=None,
    snapshot=None,
    summary="",
):
    snapshot = frozen_copy(snapshot) if snapshot is not None else {}
    digest = sha256_of(snapshot) if snapshot else ""
    event = VerificationEvent.objects.create(
        verification=verification,
        action=action,
        step_code=step["code"] if step else "",
        step_label=step["label"] if step else "",
        step_position=position,
        from_stage=from_stage,
        to_stage=stage_of(verification),
        actor=saved_user(actor),
        note=note,
        details=frozen_copy(details or {}),
        snapshot=snapshot,
        snapshot_sha256=digest,
        parameter_version=str((snapshot.get("eligibility") or {}).get("parameter_version", ""))[:300],
    )
    audit_record(
        actor=actor,
        action=f"verification.{action}",
        target=verification,
        area_code=verification.area_code,
        summary=(summary or f"{verification}：{Action(action).label}{step['label'] if step else ''}")[:300],
        changes={"from": from_stage, "to": event.to_stage, "note": note, "snapshot_sha256": digest},
    )
    return event


def bump(verification):
    verification.version += 1
    # The database enforces the one-running-attempt constraints; full_clean checks the fields.
    verification.full_clean(validate_constraints=False)
    verification.save()


def move(verification, *, position=None, status=None, decided_on=None):
    """Put the verification at another step, or end it with ``status``; the waiting step follows."""
    if position is not None:
        verification.position = position
    if status is not None:
        verification.status = status
        verification.decided_on = decided_on
    set_waiting(verification)


def save_with_event(verification, *, action, actor, from_stage=None, position=None, **event):
    """Save the changed verification (its version grows, so a page showing the old one is refused) and
    write the event. ``from_stage`` and ``position`` say where it was; by default where it is now."""
    from_stage = stage_of(verification) if from_stage is None else from_stage
    position = verification.position if position is None else position
    bump(verification)
    return write_event(
        verification, action=action, actor=actor, from_stage=from_stage, position=position, **event
    )


def move_with_event(verification, *, position=None, status=None, today=None, **event):
    """``move`` the verification, save it and write the event of the step it left."""
    from_stage, left = stage_of(verification), verification.position
    move(verification, position=position, status=status, decided_on=today)
    return save_with_event(verification, from_stage=from_stage, position=left, **event)


@transaction.atomic
def verification_start(
    *,
    actor,
    workflow_type,
    subject_area,
    year: int,
    household=None,
    note="",
    details=None,
    prior_household_status="",
    first_snapshot=None,
) -> Verification:
    """Create the attempt and record its first step (nomination or application) with the first snapshot
    (``first_snapshot`` when the caller already built it, e.g. with the eligibility result it checked)."""
    area_code = household.area_code if household is not None else subject_area.code
    steps, source = chain_for(workflow_type=workflow_type, area=subject_area, year=year)
    require_step_actor(actor, steps[0], area_code)
    verification = Verification(
        workflow_type=workflow_type,
        household=household,
        subject_area=subject_area,
        area_code=area_code,
        year=year,
        chain=steps,
        chain_source=source,
        position=1,
        note=note,
        prior_household_status=prior_household_status,
        started_by=saved_user(actor),
        step_since=timezone.now(),
    )
    set_waiting(verification)
    verification.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            verification.save()
    except IntegrityError as error:
        raise ApplicationError(
            "该对象已有办理中的流程，请先办结或撤回后再发起。", code="duplicate_running"
        ) from error
    snapshot = (
        first_snapshot if first_snapshot is not None else handler_for(verification).snapshot(verification)
    )
    write_event(
        verification,
        action=Action.START,
        actor=actor,
        step=steps[0],
        position=0,
        note=note,
        details=details,
        snapshot=snapshot,
    )
    return verification


def complete_step(verification, step, *, actor, action, note, details, today):
    """Record the completion of the waiting step and move on; the last step completes the workflow."""
    handler = handler_for(verification)
    snapshot = handler.snapshot(verification)
    handler.check_before_completing(verification, step, actor=actor, snapshot=snapshot)
    finished = verification.position + 1 >= len(verification.chain)
    if finished:
        verification.decision_snapshot = frozen_copy(snapshot)
        verification.decision_sha256 = sha256_of(snapshot)
    event = move_with_event(
        verification,
        position=verification.position + 1,
        status=VerificationStatus.COMPLETED if finished else None,
        today=today,
        action=action,
        actor=actor,
        step=step,
        note=note,
        details=details,
        snapshot=snapshot,
    )
    if finished:
        handler.on_complete(verification, actor=actor, today=today, snapshot=snapshot)
    else:
        handler.on_step_reached(verification)
    return event
