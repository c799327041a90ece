"""Writing what ``history`` read and ``history.find_history_changes`` compared: status history of the households
an import creates, 监测标识, incomes, help measures and 帮扶责任人, set-based (COPY / bulk paths), in the
caller's transaction. Returns the counts the import's summary and audit record carry.
"""
from households.choices import HouseholdStatus
from households.models import Helper, HelperAssignment, HelpMeasure, HouseholdStatusChange, IncomeRecord

from .bulk import BATCH_SIZE, bulk_update_by_pk
from .columns import INCOME_AMOUNT_KEYS
from .history import YEAR_ONLY_NOTE, income_members, year_date

IMPORT_WORKFLOW = "import"


def _note(dated) -> str:
    return f"（{YEAR_ONLY_NOTE}）" if dated.year_only else ""


def status_history_rows(plans, *, actor_id, now) -> list[dict]:
    """The exit and the return of households the import creates, as the register dates them (identification is
    written by ``commit._record_identification``)."""
    rows = []
    for plan in plans:
        history = plan.history
        if history.exited is None:
            continue
        household_id = plan.existing.pk
        rows.append({
            "household_id": household_id, "from_status": HouseholdStatus.IDENTIFIED, "to_status": HouseholdStatus.EXITED,
            "effective_date": history.exited.on,
            "reason": f"Excel 导入：台账记载 {history.exited.year} 年脱贫{_note(history.exited)}",
            "workflow": IMPORT_WORKFLOW, "actor_id": actor_id, "at": now,
        })
        if history.returned is not None:
            rows.append({
                "household_id": household_id, "from_status": HouseholdStatus.EXITED, "to_status": HouseholdStatus.RETURNED,
                "effective_date": history.returned.on,
                "reason": f"Excel 导入：台账记载 {history.returned.year} 年返贫{_note(history.returned)}",
                "workflow": IMPORT_WORKFLOW, "actor_id": actor_id, "at": now,
            })
    return rows


def _incomes(plans, *, actor_id, now, insert) -> tuple[int, int]:
    new_rows, changed = [], []
    for plan in plans:
        for income in plan.history.incomes.values():
            if income.existing_id is not None and not income.changed:
                continue
            persons = income_members(plan, income)
            record = IncomeRecord(household_id=plan.existing.pk, year=income.year, member_count=persons,
                                  recorded_by_id=actor_id, recorded_at=now, **income.amounts)
            record.compute()
            if income.existing_id is None:
                new_rows.append({name: getattr(record, name) for name in (
                    "household_id", "year", "member_count", "net_income", "per_capita_net_income", "recorded_by_id",
                    "recorded_at", *INCOME_AMOUNT_KEYS)})
            else:
                record.pk = income.existing_id
                changed.append(record)
    insert(IncomeRecord, new_rows)
    bulk_update_by_pk(changed, [*INCOME_AMOUNT_KEYS, "member_count", "net_income", "per_capita_net_income",
                                "recorded_by", "recorded_at"])
    return len(new_rows), len(changed)


def _measures(plans, *, actor_id, now, insert) -> int:
    rows = []
    for plan in plans:
        for measure in plan.history.new_measures:
            rows.append({"household_id": plan.existing.pk, "year": measure["year"], "category": measure["category"],
                         "measure": measure["measure"], "amount": measure["amount"], "fund_source": measure["fund_source"],
                         "responsible_unit": measure["responsible_unit"], "status": measure["status"],
                         "created_by_id": actor_id, "created_at": now})
    insert(HelpMeasure, rows)
    return len(rows)


def _helpers(plans, *, created_ids: set, today) -> int:
    """New 帮扶责任人 (one per village, name and unit), and the pairings: a created household is paired from its
    identification date (the register is the record of its pairing), a registered household from today, its
    other open pairings ended today."""
    wanted = [plan for plan in plans if plan.history.helper is not None and plan.history.helper_changed]
    if not wanted:
        return 0
    new_helpers = {}
    for plan in wanted:
        if plan.history.helper_id is None:
            key = (plan.data["village"].pk, plan.history.helper["name"], plan.history.helper["unit"])
            if key not in new_helpers:
                new_helpers[key] = Helper(area_id=key[0], name=key[1], unit=key[2], phone=plan.history.helper["phone"])
    Helper.objects.bulk_create(list(new_helpers.values()), batch_size=BATCH_SIZE)
    assignments, ended = [], []
    for plan in wanted:
        history = plan.history
        helper_id = history.helper_id or new_helpers[(plan.data["village"].pk, history.helper["name"], history.helper["unit"])].pk
        household_id = plan.existing.pk
        if household_id in created_ids:
            start = year_date(plan.data["identification_year"], today)
        else:
            start = today
            ended.append(household_id)
        assignments.append(HelperAssignment(helper_id=helper_id, household_id=household_id, start_date=start))
    for start in range(0, len(ended), BATCH_SIZE):
        HelperAssignment.objects.filter(household_id__in=ended[start:start + BATCH_SIZE], end_date__isnull=True).update(end_date=today)
    HelperAssignment.objects.bulk_create(assignments, batch_size=BATCH_SIZE)
    return len(assignments)


def commit_history(plans, *, created_ids: set, actor_id, now, today, insert) -> dict:
    """Write the history of every plan (``plan.existing`` is set for created households too). ``insert(model, rows)``
    is the commit's COPY-or-bulk_create writer."""
    insert(HouseholdStatusChange, status_history_rows([plan for plan in plans if plan.existing.pk in created_ids],
                                                      actor_id=actor_id, now=now))
    incomes_created, incomes_updated = _incomes(plans, actor_id=actor_id, now=now, insert=insert)
    measures = _measures(plans, actor_id=actor_id, now=now, insert=insert)
    helpers = _helpers(plans, created_ids=created_ids, today=today)
    return {"incomes_created": incomes_created, "incomes_updated": incomes_updated, "measures_created": measures,
            "helpers_assigned": helpers}
