"""Writing a validated plan: set-based inserts and updates in batches, with the audit written here.

The bulk paths bypass the household services (and ``save()``), so this module keeps what the services
keep: ``member_count``, ``head_name``, ``area_code``, ``village``, ``household_number`` (same scheme as
``households.services.household.next_household_number``), ``version``, one ``HouseholdEvent(imported)``
per created or changed household, a ``HouseholdStatusChange`` ("" → identified) per created household and
one ``AuditEvent`` for the whole import (ARCHITECTURE.md "Known traps": bulk paths write their own audit).
New rows go in with ``COPY … FROM STDIN`` on PostgreSQL (``bulk_create`` on SQLite); once the import
commits, each county it created or changed households in is queued for an eligibility recompute of the
current year. The caller holds the transaction: all rows or none.
"""
import logging
from collections import Counter

from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from accounts.history import record_changes_bulk
from accounts.services import audit_record
from households import extensions
from households.choices import HouseholdStatus, MonitoringFlag, Relation
from households.models import Household, HouseholdEvent, HouseholdStatusChange, Member
from povalleviation.actors import saved_user
from villages.models import Area

from .bulk import BATCH_SIZE, CopyWriter, InstanceBuilder, bulk_update_by_pk, copy_insert, use_copy
from .commit_history import commit_history
from .history import YEAR_ONLY_NOTE, history_changes
from .locks import conflict_from_integrity_error
from .plan import history_text

logger = logging.getLogger(__name__)

STATUS_CHANGE_REASON = f"Excel 导入建档（{YEAR_ONLY_NOTE}）"
HOUSEHOLD_COMPARED_FIELDS = (
    "area_id", "area_code", "head_name", "address", "phone", "identification_year", "category", "primary_cause",
    "other_causes", "planned_exit_year", "is_relocated", "is_zhiguo_minzu", "member_count",
)
HOUSEHOLD_UPDATE_FIELDS = [name.removesuffix("_id") for name in HOUSEHOLD_COMPARED_FIELDS] + [
    "monitoring_flag", "version", "updated_at"]
MEMBER_COMPARED_FIELDS = (
    "name", "relation", "ethnicity", "education_level", "student_status", "health_status", "labour_capacity",
    "work_place", "work_months", "is_dibao", "tekun", "has_medical_insurance", "has_serious_illness_insurance",
)
MEMBER_UPDATE_FIELDS = [*MEMBER_COMPARED_FIELDS, "updated_at"]


def _next_sequences(villages: dict[int, Area]) -> dict[int, int]:
    """The next 4-digit sequence per village, under the village row locks the register service also takes."""
    if not villages:
        return {}
    list(Area.objects.select_for_update().filter(pk__in=list(villages)).order_by("pk").values_list("pk", flat=True))
    condition = Q()
    for village in villages.values():
        condition |= Q(village_id=village.pk, household_number__startswith=village.code)
    last_numbers = dict(
        Household.objects.filter(condition).order_by().values("village_id").annotate(last=Max("household_number"))
        .values_list("village_id", "last")
    )
    sequences = {}
    for pk, village in villages.items():
        last = last_numbers.get(pk)
        tail = last[len(village.code):] if last else ""
        sequences[pk] = int(tail) + 1 if tail.isdigit() else 1
    return sequences


def _household_values(plan) -> dict:
    data = plan.data
    return {
        "area_id": data["area"].pk, "village_id": data["village"].pk, "area_code": data["area_code"],
        "head_name": data["head_name"], "address": data["address"], "phone": data["phone"],
        "identification_year": data["identification_year"], "category": data["category"],
        "primary_cause": data["primary_cause"], "other_causes": data["other_causes"],
        "planned_exit_year": data["planned_exit_year"], "is_relocated": data["is_relocated"],
        "is_zhiguo_minzu": data["is_zhiguo_minzu"], "member_count": plan.member_count,
    }


def _create_households(plans, now) -> list[Household]:
    sequences = _next_sequences({plan.data["village"].pk: plan.data["village"] for plan in plans})
    build = InstanceBuilder(Household, status=HouseholdStatus.IDENTIFIED, created_at=now, updated_at=now)
    households = []
    for plan in plans:
        village = plan.data["village"]
        sequence = sequences[village.pk]
        sequences[village.pk] = sequence + 1
        values = _household_values(plan)
        values["household_number"] = f"{village.code}{sequence:04d}"
        history = plan.history
        if history.status is not None:
            values["status"] = history.status
        if history.exited is not None:
            values["exit_date"] = history.exited.on
        if history.monitoring_flag:
            values["monitoring_flag"] = history.monitoring_flag
        households.append(build(values))
    if use_copy():
        copy_insert(households)
        _fetch_household_ids(households)
    else:
        Household.objects.bulk_create(households, batch_size=BATCH_SIZE)
    for plan, household in zip(plans, households, strict=True):
        plan.existing = household
    return households


def _fetch_household_ids(households: list[Household]):
    """The primary keys COPY generated, read back in one query by the (unique) household number."""
    if not households:
        return
    quote = connection.ops.quote_name
    meta = Household._meta
    number = meta.get_field("household_number").column
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(number)}, {quote(meta.pk.column)} FROM {quote(meta.db_table)} WHERE {quote(number)} = ANY(%s)",
            [[household.household_number for household in households]],
        )
        ids = dict(cursor.fetchall())
    for household in households:
        household.pk = ids[household.household_number]


def _insert(model, rows: list[dict], **constants):
    """New rows given as dicts of attribute names: COPY on PostgreSQL (no model instances are built),
    ``bulk_create`` elsewhere."""
    if use_copy():
        CopyWriter(model, **constants).write(rows)
        return
    try:
        build = InstanceBuilder(model, **constants)
    except TypeError:  # a mutable default (JSONField): keyword arguments build a fresh one per row
        def build(row):
            return model(**{**constants, **row})
    model.objects.bulk_create([build(row) for row in rows], batch_size=BATCH_SIZE)


def _update_members(plans, now, actor=None) -> tuple[dict, list[Member]]:
    """Changed existing members (written with UPDATE … FROM VALUES) and the changed names per household;
    the old values of the fields that keep history (``accounts.history``) go in with one ``bulk_create``."""
    wanted = {member.existing_id: member for plan in plans for member in plan.members if member.existing_id}
    changed, names, history = [], {}, []
    ids = list(wanted)
    owner = {member.existing_id: plan for plan in plans for member in plan.members if member.existing_id}
    for start in range(0, len(ids), BATCH_SIZE):
        for member in Member.objects.filter(pk__in=ids[start:start + BATCH_SIZE]):
            data = wanted[member.pk].data
            fields = [name for name in MEMBER_COMPARED_FIELDS if getattr(member, name) != data[name]]
            if not fields:
                continue
            history.append((member.pk, {name: getattr(member, name) for name in fields}))
            for name in fields:
                setattr(member, name, data[name])
            member.updated_at = now
            changed.append(member)
            names.setdefault(owner[member.pk].existing.pk, []).append(member.name)
    bulk_update_by_pk(changed, MEMBER_UPDATE_FIELDS)
    record_changes_bulk(Member, history, actor, at=now)
    return names, changed


def _record_identification(household_ids: list[int], *, actor_id, today, now):
    """One HouseholdStatusChange ("" → identified) per created household, effective 1 July of its 识别年度 (the
    file gives only the year; today when that is still ahead), as one INSERT … SELECT: the rows hold nothing the
    database does not already have, so they need no round trip through Python."""
    if not household_ids:
        return
    quote = connection.ops.quote_name
    change, household = HouseholdStatusChange._meta, Household._meta
    columns = ", ".join(quote(change.get_field(name).column) for name in (
        "household", "from_status", "to_status", "effective_date", "reason", "workflow", "actor", "at"))
    year = quote(household.get_field("identification_year").column)
    if connection.vendor == "postgresql":
        effective, ids = f"LEAST(make_date({year}, 7, 1), %s::date)", "= ANY(%s)"
        parameters = [household_ids]
    else:
        effective = f"MIN(date(printf('%%04d-07-01', {year})), %s)"
        ids = f"IN ({', '.join(['%s'] * len(household_ids))})"
        parameters = household_ids
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(change.db_table)} ({columns}) "
            f"SELECT {quote(household.pk.column)}, '', %s, {effective}, %s, %s, %s, %s FROM {quote(household.db_table)} "
            f"WHERE {quote(household.pk.column)} {ids}",
            [HouseholdStatus.IDENTIFIED, today, STATUS_CHANGE_REASON, "import", actor_id, now, *parameters],
        )


def _household_changes(household: Household, values: dict) -> dict:
    changes = {}
    for name in HOUSEHOLD_COMPARED_FIELDS:
        before, after = getattr(household, name), values[name]
        if before != after:
            label = Household._meta.get_field(name.removesuffix("_id")).verbose_name
            changes[str(label)] = [str(before) if before is not None else "", str(after) if after is not None else ""]
    return changes


def _history_phrase(plan) -> str:
    """"，已脱贫（2016 年）" — the status the register gives a created household, when it is not the default."""
    history = plan.history
    if history.status in (None, HouseholdStatus.IDENTIFIED):
        return ""
    years = [f"{history.exited.year} 年脱贫"] if history.exited is not None else []
    if history.returned is not None:
        years.append(f"{history.returned.year} 年返贫")
    return f"，{HouseholdStatus(history.status).label}" + (f"（{'，'.join(years)}）" if years else "")


def commit_plans(*, plans, actor, job=None) -> dict:
    """Write every plan (the caller checked there is no error and holds the transaction). A person registered
    by someone else after the re-check (the constraint fires) fails the import with a message naming the
    person and the row (``locks.conflict_from_integrity_error``), not as a system error."""
    try:
        with transaction.atomic():  # a savepoint: after a violation the transaction can still look the person up
            return _write_plans(plans=plans, actor=actor, job=job)
    except Exception as error:
        conflict = conflict_from_integrity_error(error, plans, actor)
        if conflict is None:
            raise
        raise conflict from error


def _write_plans(*, plans, actor, job) -> dict:
    now = timezone.now()
    today = timezone.localdate()
    actor_id = getattr(saved_user(actor), "pk", None)
    new_plans = [plan for plan in plans if plan.existing is None]
    old_plans = [plan for plan in plans if plan.existing is not None]
    old_values = {plan.existing.pk: _household_values(plan) for plan in old_plans}

    created = _create_households(new_plans, now)
    new_members = []
    for plan in plans:
        household_id = plan.existing.pk
        for member in plan.members:
            if member.existing_id is None:
                member.data["household_id"] = household_id
                new_members.append(member.data)
    added_by_household = Counter(member["household_id"] for member in new_members)
    changed_names, changed_members = _update_members(old_plans, now, actor)
    _insert(Member, new_members, created_at=now, updated_at=now)

    updated, events = [], []
    job_note = {"import_job": job.pk} if job is not None else {}
    for plan in old_plans:
        household = plan.existing
        changes = _household_changes(household, old_values[household.pk])
        history = history_changes(plan)
        added, changed = added_by_household.get(household.pk, 0), changed_names.get(household.pk, [])
        if not changes and not added and not changed and not history:
            continue
        flag = plan.history.monitoring_flag
        if flag is not None and flag != household.monitoring_flag:
            changes["监测标识"] = [household.get_monitoring_flag_display(), MonitoringFlag(flag).label]
        for name, value in old_values[household.pk].items():
            setattr(household, name, value)
        if flag is not None:
            household.monitoring_flag = flag
        household.version += 1
        household.updated_at = now
        updated.append(household)
        parts = [*changes, *(["新增成员"] if added else []), *(["修改成员"] if changed else []),
                 *(name for name in history if name != "监测标识")]
        summary = "Excel 导入更新：" + "、".join(parts)
        events.append({"household_id": household.pk, "summary": summary[:300],
                       "changes": {**job_note, "household": changes, "members_added": added, "members_updated": changed,
                                   "history": history}})
    bulk_update_by_pk(updated, HOUSEHOLD_UPDATE_FIELDS)

    for household, plan in zip(created, new_plans, strict=True):
        head = next((m.data["name"] for m in plan.members if m.data["relation"] == Relation.HEAD), household.head_name)
        events.append({"household_id": household.pk,
                       "summary": f"Excel 导入建档：{head}户，{plan.member_count} 人{_history_phrase(plan)}"[:300],
                       "changes": {**job_note, "created": True, "members_added": plan.member_count}})
    _record_identification([household.pk for household in created], actor_id=actor_id, today=today, now=now)
    history_counts = commit_history(plans, created_ids={household.pk for household in created}, actor_id=actor_id,
                                    now=now, today=today, insert=_insert)
    _insert(HouseholdEvent, events, type=HouseholdEvent.Type.IMPORTED, actor_id=actor_id, at=now)

    summary = {
        "households_created": len(created), "households_updated": len(updated),
        "households_unchanged": len(old_plans) - len(updated), "members_created": len(new_members),
        "members_updated": len(changed_members),
        "households_by_status": dict(Counter(household.status for household in created)), **history_counts,
    }
    summary["history_text"] = history_text(summary["households_by_status"], summary["incomes_created"] + summary["incomes_updated"],
                                           summary["measures_created"], summary["helpers_assigned"])
    area_code = job.area_code if job is not None else _common_prefix([plan.data["area_code"] for plan in plans])
    audit_record(
        actor=actor, action="household.import", target=job, area_code=area_code,
        summary=(f"Excel 导入{f'（{job.original_name}）' if job is not None else ''}：新建 {summary['households_created']} 户，"
                 f"更新 {summary['households_updated']} 户，新增成员 {summary['members_created']} 人，"
                 f"修改成员 {summary['members_updated']} 人，收入 {summary['incomes_created'] + summary['incomes_updated']} 条，"
                 f"帮扶措施 {summary['measures_created']} 条，结对帮扶 {summary['helpers_assigned']} 户"),
        changes=summary,
    )
    extensions.households_imported([*created, *updated], year=today.year)  # e.g. county eligibility recomputes
    return summary


def _common_prefix(codes: list[str]) -> str:
    """The smallest area containing every row, for the audit row of a command-line import."""
    if not codes:
        return ""
    first, last = min(codes), max(codes)
    length = 0
    while length < min(len(first), len(last)) and first[length] == last[length]:
        length += 1
    boundary = max((size for size in (2, 4, 6, 9, 12, 15) if size <= length), default=0)
    return first[:boundary].ljust(12, "0") if boundary else ""
