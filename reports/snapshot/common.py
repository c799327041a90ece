"""Shared pieces of the report snapshot: quarter bounds, the area's child areas, JSON-safe values."""
import datetime
from decimal import Decimal

from django.db.models import F

from accounts.history import value_as_of
from villages.choices import LEVEL_ORDER, PREFIX_LENGTH, AreaLevel
from villages.models import Area

LEVEL_LABELS = dict(AreaLevel.choices)


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of the quarter."""
    start = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    end_month = 3 * quarter
    end = (datetime.date(year + (end_month == 12), end_month % 12 + 1, 1)) - datetime.timedelta(days=1)
    return start, end


def child_level(area: Area) -> str:
    index = LEVEL_ORDER.index(area.level)
    return LEVEL_ORDER[min(index + 1, len(LEVEL_ORDER) - 1)]


def child_areas(area: Area) -> list[dict]:
    """The area's direct children (townships of a county …) as {code, name}."""
    return [{"code": code, "name": name}
            for code, name in Area.objects.filter(parent=area).order_by("code").values_list("code", "name")]


def villages_as_of(prefix: str, as_of: datetime.date):
    """Villages under the prefix annotated with ``poor_as_of`` (贫困村) and ``exit_date_as_of`` (实际退出日期) as
    they stood on ``as_of`` (``accounts.history``: a later designation or exit date does not count)."""
    return Area.objects.filter(code__startswith=prefix, level=AreaLevel.VILLAGE).annotate(
        poor_as_of=value_as_of(Area, "is_poor_village", as_of), exit_date_as_of=value_as_of(Area, "actual_exit_date", as_of))


def exited_poor_villages(prefix: str, first: datetime.date, last: datetime.date, *, as_of: datetime.date):
    """Poor villages whose exit date falls in [first, last], both as recorded on ``as_of``."""
    return villages_as_of(prefix, as_of).filter(poor_as_of=True, exit_date_as_of__gte=first, exit_date_as_of__lte=last)


def village_areas(area: Area, as_of: datetime.date | None = None) -> list[dict]:
    """Every village under the area, with its township code, in code order; ``is_poor_village`` as of
    ``as_of`` when given (else the current designation)."""
    if as_of is None:
        rows = Area.objects.filter(code__startswith=area.scope_prefix, level=AreaLevel.VILLAGE)
        rows = rows.annotate(poor_as_of=F("is_poor_village"))
    else:
        rows = villages_as_of(area.scope_prefix, as_of)
    return [{"code": code, "name": name, "township": code[:9] + "000", "township_name": township, "is_poor_village": poor}
            for code, name, township, poor in rows.order_by("code").values_list("code", "name", "parent__name", "poor_as_of")]


def group_key(code: str, level: str) -> str:
    """The padded code of the ancestor at ``level`` of an area code."""
    return code[: PREFIX_LENGTH[level]].ljust(12, "0")


def plain(value):
    """Decimal → str (exact), dates → ISO, recursively; everything else as is (JSON-safe)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def percent(numerator, denominator, places="0.01") -> str | None:
    if not denominator:
        return None
    return str((Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal(places)))


def totals(rows: list[dict], fields: list[str]) -> dict:
    return {name: sum(int(row.get(name) or 0) for row in rows) for name in fields}
