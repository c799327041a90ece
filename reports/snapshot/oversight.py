"""Section 11: rectification items and complaints as of the quarter's end (``oversight.selectors``).

Both summaries are JSON-serialisable dicts computed by the oversight app from its own dated history;
``since`` is the quarter's first day (items and complaints new this quarter).
"""
import datetime

from .common import plain


def oversight_section(*, area, start: datetime.date, end: datetime.date) -> dict:
    from oversight.selectors import complaint_summary, rectification_summary

    return {
        "rectification": plain(rectification_summary(area_code=area.code, as_of=end, since=start)),
        "complaints": plain(complaint_summary(area_code=area.code, as_of=end, since=start)),
    }
