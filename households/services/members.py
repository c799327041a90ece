"""Add, change and remove (自然减少) household members."""
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.history import record_changes
from households.choices import MemberStatus, Relation
from households.models import Household, HouseholdEvent, Member
from povalleviation.access import Capability, require
from povalleviation.errors import ApplicationError

from .common import record_event, refuse_if_frozen, save_member
from .household import prepare_member
from .lookups import records_refused_lookups


def _locked_household(household) -> Household:
    return Household.objects.select_for_update().get(pk=household.pk)


def _check_single_head(household, *, adding_head=False, excluding_member_id=None):
    heads = Member.objects.filter(household=household, is_registered=True, relation=Relation.HEAD)
    if excluding_member_id:
        heads = heads.exclude(pk=excluding_member_id)
    if adding_head and heads.exists():
        raise ApplicationError("本户已有户主；请先修改原户主的关系", field_errors={"relation": "本户已有户主"})


@records_refused_lookups
@transaction.atomic
def member_add(*, actor, household: Household, data: dict) -> Member:
    household = _locked_household(household)
    require(actor, Capability.HOUSEHOLD_EDIT, household.area_code)
    refuse_if_frozen(household)
    cleaned = prepare_member(actor=actor, data=data, household=household)
    _check_single_head(household, adding_head=cleaned["relation"] == Relation.HEAD)
    member = Member(household=household, **cleaned)
    save_member(member)
    Household.objects.filter(pk=household.pk).update(member_count=F("member_count") + 1, version=F("version") + 1)
    record_event(household=household, type=HouseholdEvent.Type.MEMBER_ADDED, actor=actor, summary=f"新增成员 {member.name}",
                 changes={"member": member.name, "relation": member.relation})
    return member


@records_refused_lookups
@transaction.atomic
def member_update(*, actor, member: Member, data: dict) -> Member:
    household = _locked_household(member.household)
    require(actor, Capability.HOUSEHOLD_EDIT, household.area_code)
    refuse_if_frozen(household)
    member = Member.objects.select_for_update().get(pk=member.pk)
    merged = {name: getattr(member, name) for name in ("name", "id_number", "relation")}
    merged.update(data)
    cleaned = prepare_member(actor=actor, data=merged, household=household, exclude_member_id=member.pk)
    if cleaned["relation"] == Relation.HEAD and member.relation != Relation.HEAD:
        _check_single_head(household, adding_head=True, excluding_member_id=member.pk)
    changes, old_values = {}, {}
    for name, value in cleaned.items():
        if getattr(member, name) != value:
            before = getattr(member, name)
            old_values[name] = before
            if name == "id_number":
                changes[name] = [before[:6] + "…" + before[-4:], value[:6] + "…" + value[-4:]]
            else:
                changes[name] = [str(before), str(value)]
            setattr(member, name, value)
    if not changes:
        return member
    save_member(member)
    record_changes(member, member.pk, old_values, actor)  # 低保/特困 flags and labour capacity keep history
    update = {"version": F("version") + 1}
    if member.relation == Relation.HEAD:
        update["head_name"] = member.name
    Household.objects.filter(pk=household.pk).update(**update)
    record_event(household=household, type=HouseholdEvent.Type.MEMBER_UPDATED, actor=actor,
                 summary=f"修改成员 {member.name}", changes=changes)
    return member


@transaction.atomic
def member_remove(*, actor, member: Member, status: str, left_date=None, reason: str = "") -> Member:
    """自然减少 (death, marriage out, moving out): the person leaves the register but the row stays."""
    household = _locked_household(member.household)
    require(actor, Capability.HOUSEHOLD_EDIT, household.area_code)
    refuse_if_frozen(household)
    if status == MemberStatus.ACTIVE or status not in MemberStatus.values:
        raise ApplicationError("请选择减少原因", field_errors={"status": "请选择减少原因"})
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.relation == Relation.HEAD:
        raise ApplicationError("户主不能直接减少；请先指定新户主", field_errors={"status": "户主不能直接减少"})
    member.status = status
    member.left_date = left_date or timezone.localdate()
    member.is_registered = False
    member.save(update_fields=["status", "left_date", "is_registered", "updated_at"])
    Household.objects.filter(pk=household.pk).update(member_count=F("member_count") - 1, version=F("version") + 1)
    record_event(household=household, type=HouseholdEvent.Type.MEMBER_REMOVED, actor=actor,
                 summary=f"成员 {member.name} {member.get_status_display()}" + (f"（{reason}）" if reason else ""),
                 changes={"member": member.name, "status": status, "left_date": member.left_date.isoformat()})
    return member
