"""The 建档立卡 stock per village on a date (PostgreSQL), for the county recompute, one household id range
at a time.

Same definition as ``households.selectors_asof.poverty_stock_as_of`` (DOMAIN.md §6.2 "from status and
member history"): a household's state on D is the ``to_status`` of its last status change effective on or
before D (ties: the later row); its persons on D are the members registered with it (created no later than
its first status change was recorded) or added by D, who had not left by D. The selector answers it with a
correlated subquery per household; here each id range is read once through the household indexes, so the
ranges run beside the household batches on the recompute's connections. ``test_recompute_paths`` holds the
two equal.
"""
import datetime

from django.db import connection, transaction

from accounts.history import day_end
from households.choices import POOR_STATUSES

# The largest household id (bigint): "to the end" for a range.
LAST_ID = 2**63 - 1

STOCK_BY_VILLAGE_SQL = """
WITH state AS (
    -- Each household's last status change effective by D: its state on D.
    SELECT DISTINCT ON (c.household_id) c.household_id, c.to_status
    FROM households_householdstatuschange c
    WHERE c.effective_date <= %(as_of)s AND c.household_id > %(after_id)s AND c.household_id <= %(upto_id)s
    ORDER BY c.household_id, c.effective_date DESC, c.id DESC
),
registered AS (
    -- Its first change: the registration, and when it was recorded.
    SELECT DISTINCT ON (c.household_id) c.household_id, c.at AS registered_at
    FROM households_householdstatuschange c
    WHERE c.household_id > %(after_id)s AND c.household_id <= %(upto_id)s
    ORDER BY c.household_id, c.effective_date, c.id
),
stock AS MATERIALIZED (
    SELECT h.id AS household_id, h.village_id, r.registered_at
    FROM state s
    JOIN registered r ON r.household_id = s.household_id
    JOIN households_household h ON h.id = s.household_id AND h.area_code LIKE %(prefix)s
         AND h.id > %(after_id)s AND h.id <= %(upto_id)s
    WHERE s.to_status = ANY(%(poor)s)
),
persons AS (
    SELECT s.village_id, count(*) AS persons
    FROM households_member m JOIN stock s ON s.household_id = m.household_id
    WHERE m.household_id > %(after_id)s AND m.household_id <= %(upto_id)s
      AND (m.created_at <= s.registered_at OR m.created_at < %(day_after)s)  -- added by D (local date)
      AND (m.left_date IS NULL OR m.left_date > %(as_of)s)
    GROUP BY s.village_id
)
SELECT s.village_id, count(*), coalesce(max(p.persons), 0)
FROM stock s LEFT JOIN persons p ON p.village_id = s.village_id
GROUP BY s.village_id
"""


def stock_by_village(*, prefix: str, as_of: datetime.date, after_id: int = 0,
                     upto_id: int = LAST_ID) -> dict[int, tuple[int, int]]:
    """village id → (households, persons) in the 建档立卡 stock on ``as_of`` under the area-code prefix, for the
    households with after_id < id <= upto_id (all of them by default)."""
    with transaction.atomic(), connection.cursor() as cursor:
        # The planner's estimates for the filtered steps are far too low (a few dozen rows for thousands): it
        # would JIT-compile the statement and read the members one household at a time (measured: the
        # statement took half as long again). Its sorts fit in memory with a little more room.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute("SET LOCAL work_mem = '32MB'")
        # "Added by D" as one timestamp bound (the local midnight after D), not a time-zone conversion per member.
        cursor.execute(STOCK_BY_VILLAGE_SQL, {"prefix": prefix + "%", "as_of": as_of, "poor": sorted(POOR_STATUSES),
                                              "day_after": day_end(as_of), "after_id": after_id, "upto_id": upto_id})
        return {village_id: (households, int(persons)) for village_id, households, persons in cursor.fetchall()}


def add_totals(into: dict[int, tuple[int, int]], part: dict[int, tuple[int, int]]) -> None:
    """Add one range's village totals to the totals so far."""
    for village_id, (households, persons) in part.items():
        before = into.get(village_id, (0, 0))
        into[village_id] = (before[0] + households, before[1] + persons)
