"""The eligibility engine's writes: evaluate one household (Python path), recompute a county (set-based SQL on
PostgreSQL, batched Python elsewhere), start a recorded run, and queue evaluations when household data change.

Results are advisory: nothing here changes a household's status (DOMAIN.md §3.9, §5.6).
"""
import datetime
import logging
import threading
import time
import weakref

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from accounts.history import record_changes_bulk
from accounts.services import audit_record
from assessments.eligibility.criteria import (
    HOUSEHOLD_PARAMETER_CODES,
    HouseholdParameters,
    evaluate_household,
)
from assessments.eligibility.engine import areas as area_engine
from assessments.eligibility.engine.facts import load_household_facts
from assessments.eligibility.engine.household_sql import batch_arguments, id_ranges, write_batch
from assessments.eligibility.engine.parallel import run_batches, worker_count
from assessments.eligibility.engine.stock_sql import add_totals, stock_by_village
from assessments.eligibility.models import AreaEligibilityResult, EligibilityResult, RecomputeRun
from assessments.policy.models import ParameterCode
from assessments.policy.services import parameter_values_for_area, parameter_values_for_villages
from households.choices import HouseholdStatus
from households.models import Household, IncomeRecord, LivingConditions
from povalleviation.access import Capability, require
from povalleviation.actors import saved_user
from povalleviation.errors import ApplicationError, Conflict
from povalleviation.queue import send_now
from villages.choices import AreaLevel
from villages.codes import county_code
from villages.models import Area, AreaYearProfile

logger = logging.getLogger(__name__)

RESULT_FIELDS = [
    "passed", "reasons", "income_record_id", "per_capita_income", "conditions_id", "members", "uninsured",
    "school_age", "dropouts", "school_status_missing", "hospital_records", "hospital_member_id", "hospital_ratio",
    "hospital_self_paid", "hospital_total", "parameter_version", "computed_at", "run",
]
AREA_RESULT_FIELDS = ["level", "passed", "criteria", "parameter_version", "data_fingerprint", "computed_at", "run"]
SQL_BATCH_SIZE = 10000
PYTHON_BATCH_SIZE = 500
RECOMPUTE_LEVELS = (AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE)
# A run still "active" after this long lost its worker; it no longer blocks a new run.
STALE_RUN_HOURS = 6


def _household_parameters(*, village, year) -> HouseholdParameters:
    return HouseholdParameters.from_rows(parameter_values_for_area(area=village, year=year, codes=HOUSEHOLD_PARAMETER_CODES))


def _result(household_id: int, year: int, params: HouseholdParameters, facts, *, run, now) -> EligibilityResult:
    passed, reasons = evaluate_household(facts, params)
    return EligibilityResult(
        household_id=household_id, year=year, passed=passed, criteria=reasons, income_record_id=facts.income_id,
        per_capita_income=facts.income, conditions_id=facts.conditions_id, members=facts.members,
        uninsured=facts.uninsured, school_age=facts.school_age, dropouts=facts.dropouts,
        school_status_missing=facts.status_missing, parameter_version=params.version, computed_at=now,
        first_computed_at=now, run=run,
    )


def _upsert(results: list[EligibilityResult]):
    """Insert or rewrite the results (``first_computed_at`` kept); a changed conclusion leaves its previous
    value in ``accounts.history``, as the set-based path does."""
    if not results:
        return
    stored = {}
    for year in {r.year for r in results}:
        ids = [r.household_id for r in results if r.year == year]
        stored.update({(household_id, year): (pk, passed) for pk, household_id, passed in EligibilityResult.objects
                       .filter(year=year, household_id__in=ids).values_list("pk", "household_id", "passed")})
    replaced = []
    for result in results:
        before = stored.get((result.household_id, result.year))
        if before is not None and before[1] != result.passed:
            replaced.append((before[0], {"passed": before[1]}))
    record_changes_bulk(EligibilityResult, replaced, at=results[0].computed_at)
    EligibilityResult.objects.bulk_create(
        results, update_conflicts=True, unique_fields=["household", "year"], update_fields=RESULT_FIELDS,
    )


@transaction.atomic
def eligibility_evaluate_household(*, household: Household, year: int, run=None) -> EligibilityResult | None:
    """Evaluate one household for one year, one by one in Python, and store the result.

    A removed household has no result (an old one is deleted).
    """
    household = Household.objects.select_related("village").get(pk=household.pk)
    if household.status == HouseholdStatus.REMOVED:
        EligibilityResult.objects.filter(household=household, year=year).delete()
        return None
    params = _household_parameters(village=household.village, year=year)
    facts = load_household_facts(household_ids=[household.pk], year=year, params_by_household={household.pk: params})
    _upsert([_result(household.pk, year, params, facts[household.pk], run=run, now=timezone.now())])
    return EligibilityResult.objects.get(household=household, year=year)


def eligibility_evaluate_household_years(*, household_id: int) -> list[EligibilityResult]:
    """Re-evaluate every year for which the household has income, an assessment or a result."""
    household = Household.objects.filter(pk=household_id).first()
    if household is None:
        return []
    years = (
        set(IncomeRecord.objects.filter(household_id=household_id).values_list("year", flat=True))
        | set(LivingConditions.objects.filter(household_id=household_id).values_list("year", flat=True))
        | set(EligibilityResult.objects.filter(household_id=household_id).values_list("year", flat=True))
    )
    results = [eligibility_evaluate_household(household=household, year=year) for year in sorted(years)]
    return [r for r in results if r is not None]


class _HouseholdEvaluationOnCommit:
    """The on-commit callback queueing one household's evaluation (one per household per transaction)."""

    def __init__(self, household_id: int):
        self.household_id = household_id
        # Django's robust on-commit logging names the callback by its __qualname__.
        self.__name__ = self.__qualname__ = f"queue_household_evaluation[{household_id}]"

    def __call__(self):
        pending = _pending()
        if pending.get(self.household_id) is self:
            del pending[self.household_id]
        send_now("assessments.evaluate_household", self.household_id)  # a broker outage is logged, never raised


# Per database connection: household id -> its on-commit callback, held weakly. Django's documented
# ``transaction.on_commit`` contract is that a callback registered inside an atomic block that is rolled back
# (the outermost transaction or a savepoint) is discarded and never called; Django then holds no reference to
# it, so its weak entry disappears with it. An entry that is still here is therefore a callback still waiting
# for this transaction's commit, and a second change to the household needs no second callback. A callback
# that has run removes its own entry. Nothing here reads Django's internal on-commit list.
_PENDING_BY_CONNECTION: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _pending() -> weakref.WeakValueDictionary:
    database = connections[DEFAULT_DB_ALIAS]
    pending = _PENDING_BY_CONNECTION.get(database)
    if pending is None:
        pending = _PENDING_BY_CONNECTION[database] = weakref.WeakValueDictionary()
    return pending


def queue_household_evaluation(household_id: int):
    """Queue the household's re-evaluation when the current transaction commits.

    Several changes to one household in one transaction queue one evaluation (an O(1) look-up, also for
    imports of thousands of households). A change inside a savepoint that is rolled back takes its callback
    with it, so the household's next change in the transaction queues it again. Outside a transaction the
    evaluation is queued at once.
    """
    pending = _pending()
    if household_id in pending:
        return
    callback = _HouseholdEvaluationOnCommit(household_id)
    pending[household_id] = callback
    # robust: a broker outage is logged, never turns a saved household into an error page.
    transaction.on_commit(callback, robust=True)


# --- recomputation ---------------------------------------------------------------------------------------


def _scope_households(area):
    return Household.objects.filter(area_code__startswith=area.scope_prefix).exclude(status=HouseholdStatus.REMOVED)


def _scope_summary(area) -> dict:
    """One pass over the scope's households: how many are to be evaluated (not removed), how many there are in
    all and their lowest and highest id (the span the batches cut up)."""
    return Household.objects.filter(area_code__startswith=area.scope_prefix).aggregate(
        total=Count("id", filter=~Q(status=HouseholdStatus.REMOVED)), households=Count("id"), low=Min("id"),
        high=Max("id"),
    )


def _progress(run, *, evaluated, changed):
    fraction = evaluated / run.total if run.total else 1
    with transaction.atomic(), connection.cursor() as cursor:
        # Progress for the page to poll: it need not wait for its WAL flush (about 5 ms a batch measured, while
        # the other connections wait for the lock around this call); the run's final update is synchronous.
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL synchronous_commit = off")
        RecomputeRun.objects.filter(pk=run.pk).update(evaluated=evaluated, changed_count=changed,
                                                      progress=min(99, int(fraction * 95)))


def _recompute_households_sql(*, area, year, run, params_by_village, now, batch_size, scope, stock):
    """Household id ranges of about ``batch_size`` households, each one statement (insert new results, update
    changed ones, delete removed households' ones, count the outcomes) in its own transaction, and the same
    ranges' village stock on the as-of date, on a few connections at once (``engine.parallel``); the run's
    progress follows each batch. Returns (evaluated, changed, counts)."""
    arguments = batch_arguments(params_by_village, year)
    ranges = id_ranges(low=scope["low"], high=scope["high"], households=scope["households"], batch_size=batch_size)
    state = {"evaluated": 0, "changed": 0, True: 0, False: 0, None: 0}
    lock = threading.Lock()
    as_of = area_engine.as_of_date(year)

    def evaluate(after_id, upto_id):
        passed, failed, unknown, written = write_batch(
            arguments=arguments, prefix=area.scope_prefix, year=year, after_id=after_id, upto_id=upto_id,
            run_id=run.pk, computed_at=now,
        )
        with lock:
            state["evaluated"] += passed + failed + unknown
            state["changed"] += written
            state[True] += passed
            state[False] += failed
            state[None] += unknown
            _progress(run, evaluated=state["evaluated"], changed=state["changed"])

    def count_stock(after_id, upto_id):
        part = stock_by_village(prefix=area.scope_prefix, as_of=as_of, after_id=after_id, upto_id=upto_id)
        with lock:
            add_totals(stock, part)

    # The longer household batches first, the short stock ranges after: the workers finish together.
    jobs = [(evaluate, *bounds) for bounds in ranges] + [(count_stock, *bounds) for bounds in ranges]
    run_batches(lambda job: job[0](*job[1:]), jobs, workers=worker_count())
    return state["evaluated"], state["changed"], {key: state[key] for key in (True, False, None)}


def _recompute_households_python(*, area, year, run, params_by_village, now, batch_size, scope, stock):
    stock.update(area_engine.poor_totals_by_village(area=area, villages=_scope_villages(area),
                                                    as_of=area_engine.as_of_date(year)))
    EligibilityResult.objects.filter(
        household__area_code__startswith=area.scope_prefix, household__status=HouseholdStatus.REMOVED, year=year
    ).delete()
    evaluated, after_id = 0, 0
    empty = HouseholdParameters()
    while True:
        batch = list(
            _scope_households(area).filter(pk__gt=after_id).order_by("pk").values_list("pk", "village_id")[:batch_size]
        )
        if not batch:
            break
        params_by_household = {pk: params_by_village.get(village_id, empty) for pk, village_id in batch}
        ids = [pk for pk, _ in batch]
        with transaction.atomic():
            facts = load_household_facts(household_ids=ids, year=year, params_by_household=params_by_household)
            _upsert([_result(pk, year, params_by_household[pk], facts[pk], run=run, now=now) for pk in ids])
            evaluated += len(ids)
            after_id = ids[-1]
            _progress(run, evaluated=evaluated, changed=evaluated)
    return evaluated, evaluated, None


def _outcome_counts(area, year) -> dict:
    """Households passing, failing and unknown in scope for the year: one GROUP BY over the stored results."""
    counts = {True: 0, False: 0, None: 0}
    rows = (EligibilityResult.objects.filter(household__area_code__startswith=area.scope_prefix, year=year)
            .values("passed").annotate(households=Count("id")).order_by())
    for row in rows:
        counts[row["passed"]] = row["households"]
    return counts


def _scope_villages(area):
    return list(Area.objects.within(area).filter(level=AreaLevel.VILLAGE).order_by("code"))


def _recompute_areas(*, area, year, run, now, villages, totals) -> tuple[int, set[int]]:
    """Village results for every village in scope, and the county's when the scope is a county; ``totals``
    is the villages' 建档立卡 stock on the as-of date (counted range by range beside the household batches on
    PostgreSQL, ``area_engine.poor_totals_by_village`` elsewhere)."""
    prefix = area.scope_prefix
    rows_by_village = parameter_values_for_villages(area=area, year=year, codes=area_engine.VILLAGE_PARAMETER_CODES)
    profiles = area_engine.profiles_for(prefix, year)
    as_of = area_engine.as_of_date(year)
    used_ids: set[int] = set()
    results = []
    for village in villages:
        households, persons = totals.get(village.pk, (0, 0))
        rows = rows_by_village.get(village.pk, {})
        passed, criteria = area_engine.evaluate_village(poor_households=households, poor_persons=persons,
                                                        profile=profiles.get(village.pk), rows=rows)
        criteria["INCIDENCE"]["as_of"] = as_of.isoformat()
        ids = sorted(r.pk for r in rows.values() if r)
        used_ids.update(ids)
        profile = profiles.get(village.pk)
        results.append(AreaEligibilityResult(
            area=village, level=AreaEligibilityResult.Level.VILLAGE, year=year, passed=passed, criteria=criteria,
            parameter_version=",".join(map(str, ids)), computed_at=now, run=run,
            data_fingerprint=area_engine.fingerprint(as_of, households, persons, profile.pk if profile else None,
                                                     *(getattr(profile, f, None) for f in _PROFILE_FIELDS)),
        ))
    if area.level == AreaLevel.COUNTY:
        results.append(_county_result(county=area, year=year, run=run, now=now, villages=villages, profiles=profiles,
                                      totals=totals, used_ids=used_ids, as_of=as_of))
    AreaEligibilityResult.objects.bulk_create(
        results, update_conflicts=True, unique_fields=["area", "year"], update_fields=AREA_RESULT_FIELDS,
    )
    return len(results), used_ids


_PROFILE_FIELDS = ["rural_registered_population", "collective_income", "has_water", "has_power", "has_hard_road",
                   "has_broadband", "has_post", "has_bus", "has_standard_clinic"]


def _county_result(*, county, year, run, now, villages, profiles, totals, used_ids, as_of):
    own = AreaYearProfile.objects.filter(area=county, year=year).first()
    if own is not None and own.rural_registered_population:
        population, source, missing = own.rural_registered_population, "county", 0
    else:
        population, missing = area_engine.village_population_total(villages, profiles)
        source = "villages"
        if missing or not villages:
            population = None
    households = sum(h for h, _ in totals.values())
    persons = sum(p for _, p in totals.values())
    row = parameter_values_for_area(area=county, year=year, codes=area_engine.COUNTY_PARAMETER_CODES)[
        ParameterCode.COUNTY_INCIDENCE_MAX
    ]
    poor_villages = [v for v in villages if v.is_poor_village]
    exited = [v for v in poor_villages if v.actual_exit_date and v.actual_exit_date.year <= year]
    passed, criteria = area_engine.evaluate_county(
        poor_households=households, poor_persons=persons, population=population, population_source=source,
        villages_without_population=missing, row=row, poor_villages=len(poor_villages), exited_villages=len(exited),
    )
    criteria["INCIDENCE"]["as_of"] = as_of.isoformat()
    if row:
        used_ids.add(row.pk)
    return AreaEligibilityResult(
        area=county, level=AreaEligibilityResult.Level.COUNTY, year=year, passed=passed, criteria=criteria,
        parameter_version=str(row.pk) if row else "", computed_at=now, run=run,
        data_fingerprint=area_engine.fingerprint(as_of, households, persons, population, source, len(poor_villages),
                                                 len(exited)),
    )


def _check_scope(area, year):
    if area.level not in RECOMPUTE_LEVELS:
        raise ApplicationError("请选择县、乡镇或村进行重算（按县分批计算）。", field_errors={"area": "请选择县、乡镇或村"})
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not 2013 <= year <= this_year:
        raise ApplicationError(f"年度应在 2013 至 {this_year} 之间", field_errors={"year": f"年度应在 2013 至 {this_year} 之间"})


def eligibility_recompute(*, area, year: int, run: RecomputeRun | None = None, trigger: str = "command",
                          use_sql: bool | None = None, batch_size: int | None = None) -> RecomputeRun:
    """Recompute every household of ``area`` (a county, usually) for ``year``, then its villages and county.

    PostgreSQL: one INSERT … SELECT … ON CONFLICT DO UPDATE per batch. Other databases: the same criteria
    in Python, a batch at a time. Each batch commits with the run's progress, so the page polling the run
    sees it move. Call outside a transaction.
    """
    _check_scope(area, year)
    use_sql = connection.vendor == "postgresql" if use_sql is None else use_sql
    if run is None:
        run = RecomputeRun.objects.create(area=area, year=year, trigger=trigger)
    started = time.monotonic()
    run.status, run.started_at, run.error = RecomputeRun.Status.RUNNING, timezone.now(), ""
    scope = _scope_summary(area)
    run.total = scope["total"]
    run.evaluated = run.changed_count = run.passed_count = run.failed_count = run.unknown_count = run.progress = 0
    run.save(update_fields=["status", "started_at", "error", "total", "evaluated", "changed_count", "passed_count",
                            "failed_count", "unknown_count", "progress"])
    try:
        rows_by_village = parameter_values_for_villages(area=area, year=year, codes=HOUSEHOLD_PARAMETER_CODES)
        params_by_village = {village_id: HouseholdParameters.from_rows(rows) for village_id, rows in rows_by_village.items()}
        now = timezone.now()
        recompute = _recompute_households_sql if use_sql else _recompute_households_python
        stock: dict[int, tuple[int, int]] = {}
        evaluated, changed, counts = recompute(
            area=area, year=year, run=run, params_by_village=params_by_village, now=now,
            batch_size=batch_size or (SQL_BATCH_SIZE if use_sql else PYTHON_BATCH_SIZE), scope=scope, stock=stock,
        )
        if counts is None:
            counts = _outcome_counts(area, year)
        with transaction.atomic():
            areas_evaluated, area_ids = _recompute_areas(area=area, year=year, run=run, now=now,
                                                         villages=_scope_villages(area), totals=stock)
        used = {int(i) for p in params_by_village.values() for i in p.version.split(",") if i} | area_ids
    except Exception as error:
        RecomputeRun.objects.filter(pk=run.pk).update(
            status=RecomputeRun.Status.FAILED, error=f"{type(error).__name__}: {error}"[:2000], finished_at=timezone.now(),
            duration_seconds=time.monotonic() - started,
        )
        raise
    RecomputeRun.objects.filter(pk=run.pk).update(
        status=RecomputeRun.Status.SUCCEEDED, evaluated=evaluated, changed_count=changed,
        passed_count=counts[True], failed_count=counts[False],
        unknown_count=counts[None], areas_evaluated=areas_evaluated, progress=100,
        parameter_version=",".join(str(i) for i in sorted(used))[:500], finished_at=timezone.now(),
        duration_seconds=time.monotonic() - started,
    )
    run.refresh_from_db()
    return run


@transaction.atomic
def recompute_run_start(*, actor, area, year: int) -> RecomputeRun:
    """「立即重算」: record a queued run and queue its task when this transaction commits."""
    require(actor, Capability.ELIGIBILITY_RECOMPUTE, area.code)
    _check_scope(area, year)
    Area.objects.select_for_update().get(pk=area.pk)
    recent = timezone.now() - datetime.timedelta(hours=STALE_RUN_HOURS)
    if RecomputeRun.objects.active().filter(area=area, year=year, created_at__gte=recent).exists():
        raise Conflict(f"{area.name} {year} 年度的重算正在进行，请等待完成后再发起。")
    run = RecomputeRun.objects.create(area=area, year=year, trigger="manual",
                                      requested_by=saved_user(actor))
    audit_record(actor=actor, action="eligibility.recompute_start", target=run, area=area,
                 summary=f"发起 {area.name} {year} 年度脱贫标准重算", changes={"year": year})

    def send():
        if not send_now("assessments.recompute_eligibility", area.pk, year, run.pk):
            # the broker is down: say so on the run instead of leaving it queued (the user may start it again)
            RecomputeRun.objects.filter(pk=run.pk).update(
                status=RecomputeRun.Status.FAILED, error="任务队列暂时不可用，未能开始重算，请稍后重新发起。",
                finished_at=timezone.now())

    transaction.on_commit(send)
    return run


def requeue_unstarted_runs(*, minutes: int) -> int:
    """Sweeper (``povalleviation.queue``): send again each run queued for ``minutes`` that never started (its
    message was lost); the re-sent message does nothing once another one has started the run."""
    cutoff = timezone.now() - datetime.timedelta(minutes=minutes)
    waiting = RecomputeRun.objects.filter(status=RecomputeRun.Status.QUEUED, started_at__isnull=True,
                                          created_at__lt=cutoff, created_at__gte=cutoff - datetime.timedelta(hours=STALE_RUN_HOURS))
    count = 0
    for run_id, area_id, year in list(waiting.values_list("pk", "area_id", "year")[:200]):
        logger.warning("recompute run %s never started, sending it again", run_id)
        count += send_now("assessments.recompute_eligibility", area_id, year, run_id, only_if_queued=True)
    return count


# --- households' hooks (``households.extensions``) -------------------------------------------------------

def queue_county_recomputes(households: list, year: int):
    """Recompute the current year's eligibility of each county an import created or changed households in,
    once the import commits (one county-wide run instead of one task per household). Nothing is queued when
    the import changed nothing, and a broker outage is logged rather than failing a committed import."""
    codes = {county_code(household.area_code) for household in households if household.area_code}
    if not codes:
        return
    county_ids = list(Area.objects.filter(code__in=codes, level=AreaLevel.COUNTY).order_by("code").values_list("pk", flat=True))

    def send():
        for county_id in county_ids:  # each send on its own: an outage is logged, the nightly run catches up
            send_now("assessments.recompute_eligibility", county_id, year)

    if not county_ids:
        return
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # No broker (development, the bench): an eager county recompute would run inside the import call,
        # for minutes on a large county. The nightly run picks the changes up instead.
        logger.info("eligibility recompute of counties %s not queued: Celery runs eagerly", county_ids)
        return
    transaction.on_commit(send, robust=True)
