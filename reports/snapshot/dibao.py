"""Section 12: 低保 / 特困 against 建档立卡 (DOMAIN.md §5.11; 001_5bc03b4b95b81c94.txt §二(一)3).

Registered persons are the stock's members on the as-of date (member history). The 民政 lists are the
``ExternalListEntry`` rows of the county loaded on or before that day; the members' own 低保 / 特困 flags
and labour capacity have no history, so their latest values are used.
"""
import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr

from assessments.models import ExternalListEntry, ExternalListKind
from households.choices import LabourCapacity
from households.selectors_asof import members_as_of, stock_household_ids_as_of
from villages.choices import PREFIX_LENGTH

from .common import child_areas
from .projects import _day_end

FIELDS = ["persons", "flagged_dibao", "flagged_tekun", "on_dibao_list", "on_tekun_list", "flag_not_on_list",
          "no_labour_uncovered"]


def dibao_section(*, area, end: datetime.date, child_level: str) -> dict:
    length = PREFIX_LENGTH[child_level]
    lists = ExternalListEntry.objects.filter(area__code__startswith=area.code[:6], loaded_at__lt=_day_end(end))
    dibao_list = lists.filter(kind=ExternalListKind.DIBAO, id_number=OuterRef("id_number"))
    tekun_list = lists.filter(kind=ExternalListKind.TEKUN, id_number=OuterRef("id_number"))
    members = (
        members_as_of(household_ids=stock_household_ids_as_of(area_code=area.code, as_of=end), as_of=end)
        .annotate(on_dibao=Exists(dibao_list), on_tekun=Exists(tekun_list))
    )
    rows_by_code = {}
    for row in (members.annotate(group=Substr("household__area_code", 1, length)).values("group").annotate(
        persons=Count("id"),
        flagged_dibao=Count("id", filter=Q(is_dibao=True)),
        flagged_tekun=Count("id", filter=~Q(tekun="")),
        on_dibao_list=Count("id", filter=Q(on_dibao=True)),
        on_tekun_list=Count("id", filter=Q(on_tekun=True)),
        flag_not_on_list=Count("id", filter=Q(is_dibao=True, on_dibao=False)),
        no_labour_uncovered=Count("id", filter=Q(labour_capacity=LabourCapacity.LOST, is_dibao=False, tekun="",
                                                  on_dibao=False, on_tekun=False)),
    ).order_by()):
        rows_by_code[row["group"].ljust(12, "0")] = row
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
