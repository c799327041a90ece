"""Section 9: allocations, payments (报账) and 支出进度 against the target, by source and by child area.

``funds.selectors.spend_summary(history=True)``: allocations received (``allocated_on``) and payments made
(``paid_on``) on or before the as-of date, for the fiscal year of that date; each voucher counts (or is
pending review) by its review status on the as-of date (``accounts.history``), so a payment checked or
rejected after the quarter stays as it was; targets are the ``PolicyParameter`` versions in force on the
as-of date (``funds.targets``), so a target revised or retired later changes nothing.
"""
import datetime

from django.db.models import Sum
from django.db.models.functions import Substr

from funds.selectors import _allocations, _payments, ratio, spend_summary
from projects.models import FundSource
from villages.choices import PREFIX_LENGTH

from .common import child_areas, plain


def _row(row: dict) -> dict:
    return plain({key: row[key] for key in ("label", "allocated", "disbursed", "pending", "ratio", "target",
                                             "below_target", "balance")})


def fund_section(*, area, end: datetime.date, child_level: str) -> dict:
    year = end.year
    summary = spend_summary(area=area, year=year, as_of=end, history=True)
    length = PREFIX_LENGTH[child_level]
    sources = dict(FundSource.objects.values_list("pk", "name"))
    matrix: dict[tuple, dict] = {}
    key = Substr("area_code", 1, length)
    for group, source, total in (_allocations(area.scope_prefix, year, end).annotate(g=key).values_list("g", "source")
                                 .annotate(t=Sum("amount")).order_by()):
        matrix.setdefault((group.ljust(12, "0"), source), {"allocated": 0, "disbursed": 0})["allocated"] = total
    for group, source, total in (_payments(area.scope_prefix, year, end, history=True).annotate(g=key).values_list("g", "source")
                                 .annotate(t=Sum("amount")).order_by()):
        matrix.setdefault((group.ljust(12, "0"), source), {"allocated": 0, "disbursed": 0})["disbursed"] = total
    names = {c["code"]: c["name"] for c in child_areas(area)}
    by_child_source = [
        {"code": code, "name": names.get(code, f"{area.name}本级"), "source": sources[source],
         "allocated": str(v["allocated"]), "disbursed": str(v["disbursed"]),
         "ratio": plain(ratio(v["disbursed"], v["allocated"]))}
        for (code, source), v in sorted(matrix.items(), key=lambda item: (item[0][0], item[0][1]))
    ]
    return {
        "year": year, "total": _row(summary["total"]),
        "by_source": [_row(row) for row in summary["by_source"]],
        "by_child": [{**_row(row), "code": row["area"].code} for row in summary["by_child"]],
        "by_child_source": by_child_source,
        "local_contribution": plain(summary["local_contribution"]),
    }
