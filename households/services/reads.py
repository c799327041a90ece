"""Audited reads of personal data: the household card, its members, the PDF, searches and reveals.

Each read writes one ``AuditEvent`` carrying the household's area code (a search: the searched area, else
the user's own), so the auditor of that area sees who looked at whom. A list or search request writes one
row, never one per household shown.
"""
from django.db import transaction

from accounts.services import audit_record
from households.idnumber import mask_id_number, normalize_id_number
from households.models import Household, HouseholdEvent
from povalleviation import actors
from povalleviation.access import Capability, covers, require

from .common import record_event

READ_ACTION_LABELS = {
    "household.view": "查看户卡",
    "household.members_view": "查看家庭成员",
    "household.edit_view": "打开户信息修改页（含完整身份证号）",
    "household.pdf": "下载户卡 PDF",
    "household.export": "导出建档立卡户",
    "household.search": "检索建档立卡户",
    "household.duplicate_lookup": "身份证号查重命中范围外人员",
    "household.duplicate_lookup_limited": "身份证号查重超过次数限制",
}


def actor_area_code(actor, capability=Capability.HOUSEHOLD_VIEW) -> str:
    return actors.actor_area_code(actor, capability)


def _label(household: Household) -> str:
    return f"{household.head_name}户（{household.household_number}）"


@transaction.atomic
def household_read_record(*, actor, household: Household, action: str, detail: str = "", changes=None):
    """One read of one household's personal data (card page, member list, API detail, PDF)."""
    label = READ_ACTION_LABELS.get(action, action)
    audit_record(actor=actor, action=action, target=household, area_code=household.area_code,
                 summary=f"{label}：{_label(household)}{('，' + detail) if detail else ''}", changes=changes or {})


def search_terms(params) -> dict:
    """The personal-data search terms of a list request, as the audit log may keep them (ID numbers masked)."""
    terms = {}
    query = (params.get("q") or "").strip() if params else ""
    if query:
        normalized = normalize_id_number(query)
        # An ID number is kept masked in the log; a name is kept as typed (the auditor needs to know whom).
        terms["q"] = mask_id_number(normalized) if len(normalized) >= 15 and normalized[:6].isdigit() else query[:50]
    return terms


@transaction.atomic
def household_search_record(*, actor, params, result_count: int, channel: str = "页面"):
    """One audit row per search request that looks for people by name or ID number."""
    terms = search_terms(params)
    if not terms:
        return None
    area = (params.get("area") or "").strip()
    area_code = area if area.isdigit() and covers(actor, Capability.HOUSEHOLD_VIEW, area) else actor_area_code(actor)
    return audit_record(actor=actor, action="household.search", area_code=area_code,
                        summary=f"{channel}检索建档立卡户（{terms['q']}），命中 {result_count} 户",
                        changes={**terms, "results": result_count, "channel": channel})


@transaction.atomic
def household_phone_reveal(*, actor, household: Household) -> str:
    """The household's full contact phone, for users who may see full ID numbers there; audited."""
    require(actor, Capability.IDNUMBER_REVEAL, household.area_code)
    record_event(household=household, type=HouseholdEvent.Type.PHONE_REVEALED, actor=actor,
                 summary="查看完整联系电话", changes={})
    return household.phone
