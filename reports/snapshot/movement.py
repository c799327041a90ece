"""Movement in the quarter (DOMAIN.md §6.2 "Movement (period)"), computed from history and checked to balance.

期初 + 新识别 + 返贫 − 脱贫 − 剔除 (± 成员自然增减 for persons) = 期末, households and persons, per area.

* Flows are ``HouseholdStatusChange`` rows effective in the quarter, one per row, classified by the status
  they lead to: 新识别 = to IDENTIFIED from nothing / 拟识别 / 已剔除 (not a correction inside the stock),
  返贫 = to RETURNED, 脱贫 = to EXITED, 剔除 = to REMOVED. 户的自然减少（整户消亡）has no status of its own
  in §3.9; it is recorded as 剔除, so it is counted there.
* Persons of a flow: the household's members (``selectors_asof`` rules) on the effective day for an entry
  into the stock, on the day before for a departure — the day the household was last in the stock.
* 成员自然增减: members added (after registration) or leaving (``left_date``) on a day D in the quarter while
  the household was in the stock both on D−1 and on D.

With consistent history the identity holds exactly, because it is the sum over days of each household's
change; rows that contradict the history (a 脱贫 row for a household already out of the stock, a status
row whose from-status is not the previous to-status, members whose dates are inconsistent) break it. The
check is stored in the snapshot; ``reports.services.report_sign`` refuses to sign an unbalanced report.
"""
import datetime

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate

from households.choices import POOR_STATUSES, HouseholdStatus
from households.models import HouseholdStatusChange, Member

FLOW_OF_STATUS = {HouseholdStatus.IDENTIFIED: "identified", HouseholdStatus.RETURNED: "returned",
                  HouseholdStatus.EXITED: "exited", HouseholdStatus.REMOVED: "removed"}
ENTRIES, EXITS = ("identified", "returned"), ("exited", "removed")
FLOWS = ENTRIES + EXITS
PERSON_FIELDS = [f"{flow}_persons" for flow in FLOWS] + ["members_added", "members_left"]
FIELDS = list(FLOWS) + PERSON_FIELDS


def _registered_at():
    return Subquery(HouseholdStatusChange.objects.filter(household_id=OuterRef("household_id"))
                    .order_by("effective_date", "id").values("at")[:1])


def _members_on(*, before: bool):
    """Correlated count of the event household's members on its effective day (or the day before)."""
    day = OuterRef("effective_date")
    joined = Q(created_at__date__lt=day) if before else Q(created_at__date__lte=day)
    stayed = Q(left_date__gte=day) if before else Q(left_date__gt=day)
    members = (Member.objects.filter(household_id=OuterRef("household_id")).annotate(registered_at=_registered_at())
               .filter(Q(created_at__lte=F("registered_at")) | joined).filter(Q(left_date__isnull=True) | stayed)
               .order_by().values("household_id").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(members, output_field=IntegerField()), Value(0))


def _state(day_field: str, *, before: bool):
    changes = HouseholdStatusChange.objects.filter(household_id=OuterRef("household_id"))
    changes = changes.filter(effective_date__lt=OuterRef(day_field)) if before else changes.filter(
        effective_date__lte=OuterRef(day_field))
    return Subquery(changes.order_by("-effective_date", "-id").values("to_status")[:1])


def _add(result: dict, code: str, field: str, value: int):
    row = result.setdefault(code, dict.fromkeys(FIELDS, 0))
    row[field] += value


def movement_by_area_code(*, prefix: str, start: datetime.date, end: datetime.date) -> dict[str, dict]:
    """{household area_code: {flow: households, flow_persons: persons, members_added, members_left}}."""
    result: dict[str, dict] = {}
    events = (
        HouseholdStatusChange.objects.filter(household__area_code__startswith=prefix, effective_date__gte=start,
                                             effective_date__lte=end, to_status__in=list(FLOW_OF_STATUS))
        .exclude(to_status=HouseholdStatus.IDENTIFIED, from_status__in=list(POOR_STATUSES))
        .annotate(entry_persons=_members_on(before=False), exit_persons=_members_on(before=True))
        .values("household__area_code", "to_status", "entry_persons", "exit_persons")
    )
    for row in events:
        flow, code = FLOW_OF_STATUS[row["to_status"]], row["household__area_code"]
        _add(result, code, flow, 1)
        _add(result, code, f"{flow}_persons", row["entry_persons"] if flow in ENTRIES else row["exit_persons"])
    poor = list(POOR_STATUSES)
    left = (
        Member.objects.filter(household__area_code__startswith=prefix, left_date__gte=start, left_date__lte=end)
        .annotate(registered_at=_registered_at())
        .filter(Q(created_at__lte=F("registered_at")) | Q(created_at__date__lt=F("left_date")))
        .annotate(state_on=_state("left_date", before=False), state_before=_state("left_date", before=True))
        .filter(state_on__in=poor, state_before__in=poor)
        .values("household__area_code").annotate(n=Count("id")).order_by()
    )
    for row in left:
        _add(result, row["household__area_code"], "members_left", row["n"])
    added = (
        Member.objects.filter(household__area_code__startswith=prefix).annotate(registered_at=_registered_at(),
                                                                               joined_on=TruncDate("created_at"))
        .filter(created_at__gt=F("registered_at"), joined_on__gte=start, joined_on__lte=end)
        .filter(Q(left_date__isnull=True) | Q(left_date__gt=F("joined_on")))
        .annotate(state_on=_state("joined_on", before=False), state_before=_state("joined_on", before=True))
        .filter(state_on__in=poor, state_before__in=poor)
        .values("household__area_code").annotate(n=Count("id")).order_by()
    )
    for row in added:
        _add(result, row["household__area_code"], "members_added", row["n"])
    return result


def roll_up(by_code: dict[str, dict], length: int) -> dict[str, dict]:
    """Sum the per-area-code movement into groups of the given code length (12-digit padded keys)."""
    result: dict[str, dict] = {}
    for code, figures in by_code.items():
        key = code[:length]
        key = key if len(key) > 12 else key.ljust(12, "0")
        for field, value in figures.items():
            _add(result, key, field, value)
    return result


def balance(row: dict) -> dict:
    """The identity for one row with opening/closing stock and flows: differences (closing − computed)."""
    households = row["opening_households"] + sum(row[f] for f in ENTRIES) - sum(row[f] for f in EXITS)
    persons = (row["opening_persons"] + sum(row[f"{f}_persons"] for f in ENTRIES)
               - sum(row[f"{f}_persons"] for f in EXITS) + row["members_added"] - row["members_left"])
    return {"households_difference": row["households"] - households, "persons_difference": row["persons"] - persons}


def balance_check(*, rows: list[dict], villages: list[dict], total: dict, area_code: str, area_name: str) -> dict:
    """Every child row, every village and the total must balance; the failures name the area and difference."""
    failures = []
    for label, row in [(area_name, total)] + [(r["name"], r) for r in rows] + [
            (f"{r['township_name']}{r['name']}", r) for r in villages]:
        diff = balance(row)
        row.update(diff)
        if diff["households_difference"] or diff["persons_difference"]:
            failures.append({"code": row.get("code", area_code), "name": label, **diff})
    return {"balanced": not failures, "failures": failures}


def imbalance_message(snapshot: dict) -> str | None:
    """Plain-Chinese reason a snapshot may not be signed, or None when the movement balances."""
    check = snapshot.get("population", {}).get("balance")
    if check is None:
        return "报告快照缺少贫困人口变动平衡校验，请重新生成报告后再签发"
    if check["balanced"]:
        return None
    parts = [f"{item['name']}：户数差 {item['households_difference']:+d}，人数差 {item['persons_difference']:+d}"
             for item in check["failures"][:5]]
    more = f"等 {len(check['failures'])} 个区域" if len(check["failures"]) > 5 else ""
    return ("贫困人口变动不平衡（期初 + 新识别 + 返贫 − 脱贫 − 剔除 ± 成员自然增减 ≠ 期末），不能签发："
            + "；".join(parts) + more + "。请核实户状态变更与成员增减记录后重新生成报告。")
