"""Section 12: 低保 / 特困 against 建档立卡 (DOMAIN.md §5.11; 001_5bc03b4b95b81c94.txt §二(一)3).

Registered persons are the stock's members on the as-of date (member history). The 民政 lists are the
``ExternalListEntry`` rows of the county loaded on or before that day. The members' own 低保 flag, 特困供养
(五保) kind and labour capacity are the values they had on the as-of date (``accounts.history``: member edits
and Excel imports record what they replace), so marking a member 低保 after the quarter changes nothing.

Set-based: one grouped query by child area and the as-of values (a few dozen groups, whatever the number of
members), summed into the columns here.
"""
import datetime

from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import Substr

from accounts.history import day_end, value_as_of
from assessments.workflows.models import ExternalListEntry, ExternalListKind
from households.choices import LabourCapacity
from households.models import Member
from households.selectors_asof import members_as_of, stock_household_ids_as_of
from villages.choices import PREFIX_LENGTH

from .common import child_areas

FIELDS = ["persons", "flagged_dibao", "flagged_tekun", "on_dibao_list", "on_tekun_list", "flag_not_on_list",
          "no_labour_uncovered"]


def _add(cell: dict, row: dict):
    """Add one group of identical members (``row["n"]`` persons) to the columns."""
    n, dibao, tekun = row["n"], row["dibao_as_of"], bool(row["tekun_as_of"])
    cell["persons"] += n
    cell["flagged_dibao"] += n if dibao else 0
    cell["flagged_tekun"] += n if tekun else 0
    cell["on_dibao_list"] += n if row["on_dibao"] else 0
    cell["on_tekun_list"] += n if row["on_tekun"] else 0
    cell["flag_not_on_list"] += n if dibao and not row["on_dibao"] else 0
    uncovered = row["labour_as_of"] == LabourCapacity.LOST and not (dibao or tekun or row["on_dibao"] or row["on_tekun"])
    cell["no_labour_uncovered"] += n if uncovered else 0


def dibao_section(*, area, end: datetime.date, child_level: str) -> dict:
    length = PREFIX_LENGTH[child_level]
    lists = ExternalListEntry.objects.filter(area__code__startswith=area.code[:6], loaded_at__lt=day_end(end))
    dibao_list = lists.filter(kind=ExternalListKind.DIBAO, id_number=OuterRef("id_number"))
    tekun_list = lists.filter(kind=ExternalListKind.TEKUN, id_number=OuterRef("id_number"))
    members = members_as_of(household_ids=stock_household_ids_as_of(area_code=area.code, as_of=end), as_of=end)
    groups = (
        members.annotate(on_dibao=Exists(dibao_list), on_tekun=Exists(tekun_list),
                         dibao_as_of=value_as_of(Member, "is_dibao", end), tekun_as_of=value_as_of(Member, "tekun", end),
                         labour_as_of=value_as_of(Member, "labour_capacity", end),
                         group=Substr("household__area_code", 1, length))
        .values("group", "dibao_as_of", "tekun_as_of", "labour_as_of", "on_dibao", "on_tekun")
        .annotate(n=Count("id")).order_by()
    )
    rows_by_code: dict[str, dict] = {}
    for row in groups:
        _add(rows_by_code.setdefault(row["group"].ljust(12, "0"), dict.fromkeys(FIELDS, 0)), row)
    rows = [{**child, **{f: rows_by_code.get(child["code"], {}).get(f, 0) for f in FIELDS}} for child in child_areas(area)]
    stock_ids = members.values("id_number")
    list_sizes = lists.values("kind").annotate(n=Count("id")).order_by()
    sizes = {row["kind"]: row["n"] for row in list_sizes}
    unregistered = lists.filter(kind=ExternalListKind.DIBAO).exclude(id_number__in=stock_ids).count()
    return {
        "rows": rows, "total": {f: sum(r[f] for r in rows) for f in FIELDS},
        "dibao_list_size": sizes.get(ExternalListKind.DIBAO, 0), "tekun_list_size": sizes.get(ExternalListKind.TEKUN, 0),
        "dibao_not_registered": unregistered,
    }
