"""Register, update and change the status of a household."""
import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.conflicts import check_version
from households.choices import (
    STATUS_TRANSITIONS,
    HouseholdCategory,
    HouseholdStatus,
    MonitoringFlag,
    PovertyCause,
    Relation,
)
from households.models import Household, HouseholdEvent, HouseholdStatusChange, Member
from povalleviation.access import Capability, require
from povalleviation.actors import saved_user
from povalleviation.errors import ApplicationError
from villages.choices import AreaLevel
from villages.models import Area

from .common import (
    checked_id_number,
    record_event,
    refuse_duplicate_person,
    refuse_if_frozen,
    translate_integrity_error,
)
from .lookups import records_refused_lookups

HOUSEHOLD_FIELDS = [
    "address", "phone", "identification_year", "category", "primary_cause", "other_causes", "other_cause_note",
    "monitoring_flag", "planned_exit_year", "is_relocated", "is_zhiguo_minzu",
]
MEMBER_FIELDS = [
    "name", "id_number", "relation", "ethnicity", "education_level", "student_status", "health_status",
    "disability_category", "disability_grade", "labour_capacity", "work_place", "work_months", "is_dibao", "tekun",
    "has_medical_insurance", "has_serious_illness_insurance",
]


def encode_causes(causes) -> str:
    codes = [code for code in (causes or []) if code]
    return f",{','.join(dict.fromkeys(codes))}," if codes else ""


def _clean_household_data(data: dict, errors: dict) -> dict:
    cleaned = {name: data[name] for name in HOUSEHOLD_FIELDS if name in data}
    if "other_causes" in cleaned:
        causes = cleaned["other_causes"]
        if isinstance(causes, str):
            causes = [code for code in causes.strip(",").split(",") if code]
        unknown = [code for code in causes if code not in PovertyCause.values]
        if unknown:
            errors["other_causes"] = f"未知的致贫原因：{'、'.join(unknown)}"
        primary = cleaned.get("primary_cause", data.get("_current_primary_cause"))
        if primary and primary in causes:
            errors["other_causes"] = "其他致贫原因不能与主要致贫原因重复"
        cleaned["other_causes"] = encode_causes(causes)
    if "primary_cause" in cleaned and cleaned["primary_cause"] not in PovertyCause.values:
        errors["primary_cause"] = "请选择主要致贫原因"
    if "category" in cleaned and cleaned["category"] not in HouseholdCategory.values:
        errors["category"] = "请选择贫困户属性"
    if "monitoring_flag" in cleaned and (cleaned["monitoring_flag"] or "") not in MonitoringFlag.values:
        errors["monitoring_flag"] = "监测标识无效"
    year = cleaned.get("identification_year")
    this_year = timezone.localdate().year
    if "identification_year" in cleaned and (not isinstance(year, int) or not 2013 <= year <= this_year):
        errors["identification_year"] = f"识别年度应在 2013 至 {this_year} 之间"
    planned = cleaned.get("planned_exit_year")
    if planned is not None and isinstance(year, int) and planned < year:
        errors["planned_exit_year"] = "计划脱贫年度不能早于识别年度"
    return cleaned


def prepare_member(*, actor, data: dict, household=None, exclude_member_id=None, prefix="", row_label="") -> dict:
    """Validate one member's data (ID number per GB 11643, derived sex and birth date, duplicates)."""
    cleaned = {name: data[name] for name in MEMBER_FIELDS if name in data}
    if not (cleaned.get("name") or "").strip():
        raise ApplicationError(f"{row_label}请填写成员姓名", field_errors={f"{prefix}name": "请填写姓名"})
    cleaned["name"] = cleaned["name"].strip()
    if cleaned.get("relation") not in Relation.values:
        raise ApplicationError(f"{row_label}请选择与户主关系", field_errors={f"{prefix}relation": "请选择与户主关系"})
    info = checked_id_number(cleaned.get("id_number") or "", field=f"{prefix}id_number", row_label=row_label)
    cleaned["id_number"] = info.number
    cleaned["sex"] = info.sex
    cleaned["birth_date"] = info.birth_date
    if int(cleaned.get("work_months") or 0) > 12:
        raise ApplicationError(f"{row_label}务工月数应在 0 到 12 之间", field_errors={f"{prefix}work_months": "务工月数应在 0 到 12 之间"})
    refuse_duplicate_person(actor=actor, id_number=info.number, exclude_member_id=exclude_member_id, household=household,
                            field=f"{prefix}id_number", row_label=row_label)
    return cleaned


def _check_members(members: list[dict]):
    heads = [m for m in members if m.get("relation") == Relation.HEAD]
    if len(heads) != 1:
        raise ApplicationError("每户必须有且只有一名户主", field_errors={"members": "每户必须有且只有一名户主"})
    seen = {}
    for index, member in enumerate(members):
        number = member["id_number"]
        if number in seen:
            message = f"第 {index + 1} 名成员的身份证号与第 {seen[number] + 1} 名成员重复"
            raise ApplicationError(message, field_errors={f"members.{index}.id_number": message}, code="duplicate_person")
        seen[number] = index


def _lock_village(area: Area) -> Area:
    village = area if area.level == AreaLevel.VILLAGE else area.parent
    return Area.objects.select_for_update().get(pk=village.pk)


def next_household_number(village: Area) -> str:
    """户编号: the village's 12-digit code + a 4-digit sequence (caller holds the village row lock)."""
    last = (
        Household.objects.filter(village=village, household_number__startswith=village.code)
        .order_by("-household_number").values_list("household_number", flat=True).first()
    )
    sequence = int(last[len(village.code):]) + 1 if last and last[len(village.code):].isdigit() else 1
    return f"{village.code}{sequence:04d}"


@records_refused_lookups
@transaction.atomic
def household_register(*, actor, area: Area, data: dict, members: list[dict],
                       status: str = HouseholdStatus.IDENTIFIED, household_number: str | None = None,
                       registered_on: datetime.date | None = None, is_demo: bool = False) -> Household:
    """Register a poor household with its members (建档立卡)."""
    if area.level not in (AreaLevel.VILLAGE, AreaLevel.GROUP):
        raise ApplicationError("贫困户必须登记在行政村或村民小组", field_errors={"area": "请选择村或村民小组"})
    require(actor, Capability.HOUSEHOLD_EDIT, area.code)
    errors = {}
    cleaned = _clean_household_data(data, errors)
    for required in ("identification_year", "primary_cause"):
        if required not in cleaned or cleaned[required] in (None, ""):
            errors.setdefault(required, "必填")
    if errors:
        raise ApplicationError("户信息有误：" + "；".join(f"{Household._meta.get_field(k).verbose_name}：{v}" for k, v in errors.items()),
                               field_errors=errors)
    prepared = [prepare_member(actor=actor, data=m, prefix=f"members.{i}.", row_label=f"第 {i + 1} 名成员：")
                for i, m in enumerate(members)]
    _check_members(prepared)
    village = _lock_village(area)
    head = next(m for m in prepared if m["relation"] == Relation.HEAD)
    household = Household(
        household_number=household_number or next_household_number(village), area=area, village=village,
        area_code=area.code, head_name=head["name"], status=status, member_count=len(prepared), is_demo=is_demo,
        **cleaned,
    )
    household.full_clean()
    try:
        with transaction.atomic():
            household.save()
            for member_data in prepared:
                member = Member(household=household, **member_data)
                member.full_clean(validate_constraints=False)
                member.save()
    except IntegrityError as error:
        raise translate_integrity_error(error) from error
    HouseholdStatusChange.objects.create(
        household=household, from_status="", to_status=status, effective_date=registered_on or timezone.localdate(),
        reason="建档立卡登记", workflow="register", actor=saved_user(actor),
    )
    record_event(household=household, type=HouseholdEvent.Type.REGISTERED, actor=actor,
                 summary=f"建档立卡，{len(prepared)} 人",
                 changes={"household": {k: str(v) for k, v in cleaned.items()}, "members": [m["name"] for m in prepared]})
    return household


@transaction.atomic
def household_update(*, actor, household: Household, data: dict, expected_version: int | None = None) -> Household:
    """Change a household's own fields. Refused while frozen, or when someone saved it since it was shown."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    require(actor, Capability.HOUSEHOLD_EDIT, household.area_code)
    check_version(household, expected_version, noun="该户信息")
    refuse_if_frozen(household)
    errors = {}
    data = {**data, "_current_primary_cause": household.primary_cause}
    cleaned = _clean_household_data(data, errors)
    if errors:
        raise ApplicationError("户信息有误", field_errors=errors)
    changes = {}
    for name, value in cleaned.items():
        before = getattr(household, name)
        if before != value:
            changes[name] = [str(before), str(value)]
            setattr(household, name, value)
    if not changes:
        return household
    household.version += 1
    household.full_clean()
    household.save()
    record_event(household=household, type=HouseholdEvent.Type.UPDATED, actor=actor,
                 summary="修改：" + "、".join(str(Household._meta.get_field(n).verbose_name) for n in changes), changes=changes)
    return household


@transaction.atomic
def household_set_status(*, actor, household: Household, to_status: str, reason: str,
                         effective_date: datetime.date | None = None, workflow: str = "") -> Household:
    """The only way a household's status changes; writes the status change and the event.

    Workflow services (exit, identification, 返贫) call this with ``actor`` already checked for their step.
    """
    household = Household.objects.select_for_update().get(pk=household.pk)
    if actor is not None and not workflow:
        require(actor, Capability.HOUSEHOLD_EDIT, household.area_code)
    if not reason or not reason.strip():
        raise ApplicationError("请填写状态变更原因", field_errors={"reason": "必填"})
    if to_status not in STATUS_TRANSITIONS.get(household.status, set()):
        raise ApplicationError(
            f"不能从“{household.get_status_display()}”直接变为“{HouseholdStatus(to_status).label}”", code="invalid_transition"
        )
    from_status = household.status
    effective_date = effective_date or timezone.localdate()
    household.status = to_status
    if to_status == HouseholdStatus.EXITED:
        household.exit_date = effective_date
        household.monitoring_flag = household.monitoring_flag or "exited_monitored"
    if to_status == HouseholdStatus.REMOVED:
        Member.objects.filter(household=household).update(is_registered=False)
    household.version += 1
    household.save()
    HouseholdStatusChange.objects.create(
        household=household, from_status=from_status, to_status=to_status, effective_date=effective_date,
        reason=reason.strip(), workflow=workflow, actor=saved_user(actor),
    )
    record_event(household=household, type=HouseholdEvent.Type.STATUS_CHANGED, actor=actor,
                 summary=f"状态：{HouseholdStatus(from_status).label} → {HouseholdStatus(to_status).label}（{reason.strip()}）",
                 changes={"status": [from_status, to_status], "effective_date": effective_date.isoformat()})
    return household


@transaction.atomic
def id_number_reveal(*, actor, member: Member) -> str:
    """Show one full ID number to a user with the capability; every reveal is audited."""
    require(actor, Capability.IDNUMBER_REVEAL, member.household.area_code)
    record_event(household=member.household, type=HouseholdEvent.Type.ID_REVEALED, actor=actor,
                 summary=f"查看 {member.name} 的完整身份证号", changes={"member_id": member.pk})
    return member.id_number
