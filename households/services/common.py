"""Pieces shared by the household services: the event record, ID checks and the freeze rule."""
import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.services import audit_record
from households import extensions
from households.choices import HouseholdStatus
from households.idnumber import IdNumberError, mask_id_number, validate_id_number
from households.models import HouseholdEvent, Member
from povalleviation.access import Capability, covers
from povalleviation.actors import actor_area_code, saved_user
from povalleviation.errors import ApplicationError

from .lookups import limit_refusal, lookup_limit_reached, registered_elsewhere

FROZEN_STATUSES = {HouseholdStatus.EXIT_PENDING, HouseholdStatus.CANDIDATE}


def record_event(*, household, type, actor, summary, changes=None):
    """Write the household's own history row and the auditor's log entry, in the caller's transaction."""
    HouseholdEvent.objects.create(household=household, type=type, actor=saved_user(actor),
                                  summary=summary[:300], changes=changes or {})
    audit_record(actor=actor, action=f"household.{type}", target=household, area_code=household.area_code,
                 summary=f"{household.head_name}户（{household.household_number}）：{summary}"[:300], changes=changes or {})
    if type in ELIGIBILITY_INPUT_EVENTS:
        # The apps built on households hear of it (assessments re-evaluates eligibility after commit; advisory,
        # never a status change): ``households.extensions``.
        extensions.facts_changed(household.pk)


ELIGIBILITY_INPUT_EVENTS = {
    HouseholdEvent.Type.REGISTERED, HouseholdEvent.Type.UPDATED, HouseholdEvent.Type.MEMBER_ADDED,
    HouseholdEvent.Type.MEMBER_UPDATED, HouseholdEvent.Type.MEMBER_REMOVED, HouseholdEvent.Type.INCOME_RECORDED,
    HouseholdEvent.Type.CONDITIONS_RECORDED, HouseholdEvent.Type.IMPORTED,
}


def refuse_if_frozen(household):
    """While an exit, identification or 返贫 workflow runs, the facts it decided on are frozen (DOMAIN.md §5.0 rule 4)."""
    if household.status in FROZEN_STATUSES:
        raise ApplicationError(
            f"该户当前状态为“{household.get_status_display()}”，户信息、成员、收入和两不愁三保障已冻结；请先撤回相关流程再修改。",
            code="frozen",
        )
    if household.status == HouseholdStatus.EXITED and household.pk and _return_workflow_open(household.pk):
        raise ApplicationError(
            "该户有办理中的返贫认定流程，户信息、成员、收入和两不愁三保障已冻结；请先撤回相关流程再修改。", code="frozen"
        )


def _return_workflow_open(household_id) -> bool:
    """An exited household stays 已脱贫 while its 返贫 is decided (DOMAIN.md §5.6), frozen like the others."""
    return bool(households_in_open_return([household_id]))


def households_in_open_return(household_ids) -> set[int]:
    """Which of these households have a procedure in progress that freezes them while their status stays 已脱贫
    (the 返贫 认定, registered by the workflows in ``households.extensions``; one query per procedure kind, for
    imports of thousands)."""
    return extensions.households_in_open_procedures(household_ids)


def checked_id_number(raw, *, field="id_number", row_label=""):
    try:
        return validate_id_number(raw, today=timezone.localdate())
    except IdNumberError as error:
        raise ApplicationError(f"{row_label}{error.message}", field_errors={field: error.message}, code=error.code) from error


def refuse_duplicate_person(*, actor, id_number: str, exclude_member_id=None, household=None, field="id_number", row_label=""):
    """One person, one active household across the installation. The refusal for a person registered
    outside the actor's scope says only that the number is registered (never where), is audited and counts
    against the actor's hourly lookup limit (``lookups``); past the limit, numbers the actor cannot see are
    refused without looking."""
    others = Member.objects.filter(id_number=id_number, is_registered=True).select_related("household")
    if exclude_member_id:
        others = others.exclude(pk=exclude_member_id)
    other = others.first()
    in_household = other is not None and household is not None and other.household_id == household.pk
    visible = other is not None and actor is not None and covers(actor, Capability.HOUSEHOLD_VIEW, other.household.area_code)
    if not in_household and not visible and lookup_limit_reached(actor) and not _unchanged(exclude_member_id, id_number):
        raise limit_refusal(actor=actor, id_number=id_number, field=field, row_label=row_label)
    if other is None:
        return
    if in_household:
        message = f"身份证号 {id_number[:6]}…{id_number[-4:]} 在本户中重复"
    elif visible:
        message = f"此人已登记在 {other.household.head_name} 户（户编号 {other.household.household_number}），一人只能在一个在册户中"
    else:
        raise registered_elsewhere(actor=actor, id_number=id_number, area_code=_actor_area_code(actor), field=field,
                                   row_label=row_label)
    raise ApplicationError(f"{row_label}{message}", field_errors={field: message}, code="duplicate_person")


def _unchanged(member_id, id_number) -> bool:
    """Saving a member without changing the ID number is not a lookup."""
    return bool(member_id) and Member.objects.filter(pk=member_id, id_number=id_number).exists()


def _actor_area_code(actor) -> str:
    return actor_area_code(actor, Capability.HOUSEHOLD_EDIT)


MEMBER_UNIQUE_CONSTRAINT = "member_one_active_household_per_person"
_DUPLICATE_KEY = re.compile(r"\(id_number\)=\(([0-9Xx]+)\)")


def _error_chain(error):
    while error is not None:
        yield error
        error = error.__cause__ or error.__context__


def is_duplicate_person_error(error: BaseException) -> bool:
    """Whether ``error`` (Django's IntegrityError or the driver's own, e.g. from COPY) is the one-person-one-
    household constraint."""
    for link in _error_chain(error):
        diag = getattr(link, "diag", None)
        if getattr(diag, "constraint_name", None) == MEMBER_UNIQUE_CONSTRAINT or MEMBER_UNIQUE_CONSTRAINT in str(link):
            return True
    return False


def duplicate_person_id(error: BaseException) -> str | None:
    """The ID number PostgreSQL names in the violation's detail ("Key (id_number)=(…) already exists."), or None."""
    for link in _error_chain(error):
        diag = getattr(link, "diag", None)
        match = _DUPLICATE_KEY.search(f"{getattr(diag, 'message_detail', None) or ''} {link}")
        if match:
            return match.group(1)
    return None


def translate_integrity_error(error: IntegrityError, *, name: str = ""):
    """The refusal for a database conflict; the one-person-one-household constraint (a race the checks before
    the write could not see) names the person by masked ID number (and ``name``), never where it is registered."""
    if is_duplicate_person_error(error):
        from .lookups import REGISTERED_ELSEWHERE

        id_number = duplicate_person_id(error)
        if id_number is None:
            message = REGISTERED_ELSEWHERE
        else:
            person = f"身份证号 {mask_id_number(id_number)}" + (f"（{name}）" if name else "")
            message = f"{person}已登记在册，一人只能在一个在册户中；请联系乡镇扶贫工作站核实"
        return ApplicationError(message, field_errors={"id_number": message}, code="duplicate_person")
    return ApplicationError("保存失败：数据与已有记录冲突，请检查后重试", code="integrity")


def save_member(member: Member) -> None:
    """Validate and save one member row; a database conflict (the person is registered in another household)
    becomes the service's refusal."""
    member.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as error:
        raise translate_integrity_error(error, name=member.name) from error
