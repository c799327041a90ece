"""Matching a validated file against the database in a few set-based queries.

* a row with 户编号 updates that household (it must exist, be inside the uploader's import scope, and not be
  frozen or removed);
* a row without 户编号 updates the household whose registered head has the row's head ID number, when that
  household is inside the scope; otherwise it is a new household;
* a person registered (``is_registered``) in any other household is a duplicate. The refusal names that
  household only when the uploader may see it, with the wording of
  ``households.services.common.refuse_duplicate_person``; hits outside the scope are audited and counted
  against the uploader's hourly lookup limit (``households.services.lookups``).
"""
from collections import defaultdict

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.services import audit_record
from households.choices import HouseholdStatus, Relation
from households.idnumber import mask_id_number
from households.models import Household, Member
from households.services.common import FROZEN_STATUSES, households_in_open_return
from households.services.lookups import (
    DUPLICATE_LOOKUP_LIMIT,
    LOOKUP_LIMIT_REACHED,
    REGISTERED_ELSEWHERE,
    count_lookup,
    lookups_used,
)
from households.services.reads import actor_area_code
from povalleviation.access import Capability, covers

from . import locks
from .columns import HOUSEHOLD_SHEET, MEMBER_SHEET, column_by_key
from .commit import MEMBER_COMPARED_FIELDS, _household_changes, _household_values
from .history import check_registered, find_history_changes, history_changes

ID_BATCH = 5000
SAME_PERSON_ELSEWHERE_HIDDEN = REGISTERED_ELSEWHERE
HOUSEHOLD_FIELDS_LOADED = (
    "id", "household_number", "area_id", "village_id", "area_code", "head_name", "address", "phone",
    "identification_year", "category", "status", "primary_cause", "other_causes", "planned_exit_year",
    "is_relocated", "is_zhiguo_minzu", "member_count", "version", "monitoring_flag", "exit_date",
)


def _registered_members(id_numbers: list[str]) -> dict[str, dict]:
    """Registered members with these ID numbers, with their household's number, head and area."""
    found = {}
    if connection.vendor == "postgresql":
        # One array parameter instead of tens of thousands of placeholders (which cost more to build than to run).
        batches = [RawSQL("SELECT unnest(%s::varchar[])", (id_numbers,))] if id_numbers else []
    else:
        batches = [id_numbers[start:start + ID_BATCH] for start in range(0, len(id_numbers), ID_BATCH)]
    for batch in batches:
        for row in Member.objects.filter(id_number__in=batch, is_registered=True).values(
            "id", "id_number", "relation", "household_id", "household__area_code", "household__head_name",
            "household__household_number",
        ):
            found[row["id_number"]] = row
    return found


def _households(pks=(), numbers=(), lock=False) -> list[Household]:
    if not pks and not numbers:
        return []
    queryset = Household.objects.filter(pk__in=list(pks)) if pks else Household.objects.filter(household_number__in=list(numbers))
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return list(queryset.select_related("village").only(*HOUSEHOLD_FIELDS_LOADED, "village__name", "village__code"))


def duplicate_message(actor, registered: dict) -> str:
    if actor is None or covers(actor, Capability.HOUSEHOLD_VIEW, registered["household__area_code"]):
        return (f"此人已登记在 {registered['household__head_name']} 户（户编号 {registered['household__household_number']}），"
                "一人只能在一个在册户中")
    return SAME_PERSON_ELSEWHERE_HIDDEN


def _header(sheet, key):
    return column_by_key(sheet, key).header


def _resolve_existing(plans, errors, actor, registered, lock):
    """Decide which household each row updates; refuse rows whose household may not be changed."""
    by_number = {household.household_number: household for household in _households(
        numbers={plan.household_number for plan in plans if plan.household_number}, lock=lock)}
    head_household_ids = {
        registered[plan.head_id_number]["household_id"] for plan in plans
        if not plan.household_number and plan.head_id_number in registered
        and registered[plan.head_id_number]["relation"] == Relation.HEAD
        and (actor is None or covers(actor, Capability.HOUSEHOLD_IMPORT, registered[plan.head_id_number]["household__area_code"]))
    }
    by_pk = {household.pk: household for household in _households(pks=head_household_ids, lock=lock)}
    in_return = households_in_open_return(
        [household.pk for household in [*by_number.values(), *by_pk.values()] if household.status == HouseholdStatus.EXITED])
    claimed = {}
    for plan in plans:
        household = None
        number_column = _header(HOUSEHOLD_SHEET, "household_number")
        if plan.household_number:
            household = by_number.get(plan.household_number)
            if household is None or (actor is not None and not covers(actor, Capability.HOUSEHOLD_IMPORT, household.area_code)):
                errors.add(HOUSEHOLD_SHEET, plan.row, number_column,
                           f"户编号 {plan.household_number} 不存在或不在您的导入范围内；新户请将户编号留空，由系统编号")
                plan.has_error = True
                continue
        elif plan.head_id_number in registered:
            person = registered[plan.head_id_number]
            if person["relation"] == Relation.HEAD:
                household = by_pk.get(person["household_id"])
        if household is None:
            continue
        if household.pk in claimed:
            errors.add(HOUSEHOLD_SHEET, plan.row, number_column, f"与第 {claimed[household.pk]} 行对应的是同一户")
            plan.has_error = True
            continue
        claimed[household.pk] = plan.row
        plan.existing = household
        if household.status == HouseholdStatus.REMOVED:
            errors.add(HOUSEHOLD_SHEET, plan.row, number_column, "该户已剔除，不能通过导入修改")
            plan.has_error = True
        elif household.status in FROZEN_STATUSES:
            errors.add(HOUSEHOLD_SHEET, plan.row, number_column,
                       f"该户当前状态为“{household.get_status_display()}”，户信息和成员已冻结，不能通过导入修改；请先撤回相关流程")
            plan.has_error = True
        elif household.pk in in_return:
            errors.add(HOUSEHOLD_SHEET, plan.row, number_column,
                       "该户有办理中的返贫认定流程，户信息和成员已冻结，不能通过导入修改；请先撤回相关流程")
            plan.has_error = True
        village = plan.data.get("village")
        if village is not None and village.pk != household.village_id:
            errors.add(HOUSEHOLD_SHEET, plan.row, _header(HOUSEHOLD_SHEET, "area_code"),
                       f"该户已建档在{household.village.name}（{household.village.code}），所在村不能通过导入更改")
            plan.has_error = True


def _check_members(plans, errors, actor, registered, lock=False):
    """Duplicates against the database; existing members of updated households are matched by ID number.
    At commit (``lock``), a person another import registered since the preview fails the job instead
    (``locks.import_conflicts``)."""
    id_column = _header(MEMBER_SHEET, "id_number")
    hidden = []  # (row, ID number) of people registered outside the uploader's scope
    duplicates = []  # (member plan, registered person) the uploader may see
    for plan in plans:
        own_household_id = plan.existing.pk if plan.existing is not None else None
        for member in plan.members:
            person = registered.get(member.data["id_number"])
            if person is None:
                continue
            if own_household_id is not None and person["household_id"] == own_household_id:
                member.existing_id = person["id"]
                continue
            if actor is not None and not covers(actor, Capability.HOUSEHOLD_VIEW, person["household__area_code"]):
                hidden.append((member.row, member.data["id_number"]))
                continue
            duplicates.append((member, person))
    conflicts = locks.import_conflicts([(member, person["id"]) for member, person in duplicates]) if lock else []
    conflicting_rows = {conflict["row"] for conflict in conflicts}
    for member, person in duplicates:
        if member.row not in conflicting_rows:
            errors.add(MEMBER_SHEET, member.row, id_column, duplicate_message(actor, person))
    _report_hidden_duplicates(hidden, errors, actor, id_column)
    if conflicts:
        raise locks.ImportConflict(conflicts)


def _report_hidden_duplicates(hidden, errors, actor, id_column):
    """A file is a bulk duplicate lookup: its hits outside the scope are audited (one row per file) and count
    against the uploader's hourly limit; past the limit the file gets one error that names no row, so a file
    of guessed numbers tells nothing about which of them are registered."""
    if not hidden:
        return
    allowance = DUPLICATE_LOOKUP_LIMIT - lookups_used(actor)
    count_lookup(actor, len(hidden))
    over = len(hidden) > allowance
    audit_record(actor=actor, action="household.duplicate_lookup_limited" if over else "household.duplicate_lookup",
                 area_code=actor_area_code(actor, Capability.HOUSEHOLD_IMPORT), outcome="denied",
                 summary=f"导入文件中 {len(hidden)} 个身份证号已在范围外登记" + ("，超过查重次数限制" if over else ""),
                 changes={"count": len(hidden), "id_numbers": [mask_id_number(number) for _, number in hidden[:50]]})
    if over:
        errors.add(MEMBER_SHEET, None, id_column, LOOKUP_LIMIT_REACHED)
        return
    for row, _number in hidden:
        errors.add(MEMBER_SHEET, row, id_column, SAME_PERSON_ELSEWHERE_HIDDEN)


def _check_final_heads(plans, errors):
    """After the merge an updated household still has exactly one head; count its members."""
    updated = {plan.existing.pk: plan for plan in plans if plan.existing is not None}
    kept = defaultdict(list)  # registered members of updated households absent from the file
    if updated:
        file_ids = {plan.existing.pk: {member.data["id_number"] for member in plan.members} for plan in updated.values()}
        for row in Member.objects.filter(household_id__in=list(updated), is_registered=True).values(
            "household_id", "id_number", "name", "relation"
        ):
            if row["id_number"] not in file_ids[row["household_id"]]:
                kept[row["household_id"]].append(row)
    for plan in plans:
        others = kept.get(plan.existing.pk, []) if plan.existing is not None else []
        plan.member_count = len(plan.members) + len(others)
        if plan.existing is None or not plan.members:
            continue
        old_heads = [row for row in others if row["relation"] == Relation.HEAD]
        if old_heads:
            names = "、".join(row["name"] for row in old_heads)
            errors.add(HOUSEHOLD_SHEET, plan.row, _header(HOUSEHOLD_SHEET, "head_id_number"),
                       f"该户原户主 {names} 未在成员信息表中列出；更换户主时请在成员信息表中将原户主改为其他关系")
            plan.has_error = True


def predict_changes(plans):
    """Set ``is_changed`` on each matched plan exactly as ``commit.commit_plans`` decides 更新 or 无变化: a
    household field differs, a member is added, a registered member's field differs, or the history changes
    (``history.history_changes``: 监测标识, an income, a measure, the 帮扶责任人). One query per ``ID_BATCH``
    members of the matched households."""
    find_history_changes(plans)
    matched = [plan for plan in plans if plan.existing is not None]
    wanted = {member.existing_id: member.data for plan in matched for member in plan.members if member.existing_id}
    ids, changed_members = list(wanted), set()
    for start in range(0, len(ids), ID_BATCH):
        for row in Member.objects.filter(pk__in=ids[start:start + ID_BATCH]).values("id", *MEMBER_COMPARED_FIELDS):
            data = wanted[row["id"]]
            if any(row[name] != data[name] for name in MEMBER_COMPARED_FIELDS):
                changed_members.add(row["id"])
    for plan in matched:
        plan.is_changed = bool(
            _household_changes(plan.existing, _household_values(plan))
            or any(member.existing_id is None or member.existing_id in changed_members for member in plan.members)
            or history_changes(plan))


def match(plans, errors, *, actor, lock=False):
    id_numbers = set()
    for plan in plans:
        if plan.head_id_number:
            id_numbers.add(plan.head_id_number)
        id_numbers.update(member.data["id_number"] for member in plan.members)
    if lock:  # the commit: imports of these villages confirmed meanwhile commit first, and are seen below
        locks.lock_villages(plan.data["village"].pk for plan in plans if plan.data.get("village") is not None)
    registered = _registered_members(sorted(id_numbers))
    _resolve_existing(plans, errors, actor, registered, lock)
    check_registered(plans, errors, timezone.localdate())
    _check_members(plans, errors, actor, registered, lock)
    _check_final_heads(plans, errors)
    if not errors:  # a file with errors writes nothing: there is nothing to count
        predict_changes(plans)
