"""Which archives to keep: the newest of each of the last N days, ISO weeks and months that have an archive
(BACKUP_KEEP_DAILY / _WEEKLY / _MONTHLY). A pure function of the file names; ``prune`` applies it."""
import datetime
import re
from pathlib import Path

NAME = re.compile(r"^povalleviation-(\d{8})-(\d{6})\.tar(\.age)?$")


def archive_time(name: str) -> datetime.datetime | None:
    match = NAME.match(name)
    if not match:
        return None
    try:
        return datetime.datetime.strptime(match[1] + match[2], "%Y%m%d%H%M%S")
    except ValueError:
        return None


def archives_to_keep(names, *, daily: int, weekly: int, monthly: int) -> set[str]:
    """Names to keep among ``names`` (names that are not archives are neither kept nor counted)."""
    dated = sorted(((archive_time(n), n) for n in names if archive_time(n)), reverse=True)
    keep: set[str] = set()
    for count, period in [
        (daily, lambda t: t.date()),
        (weekly, lambda t: t.isocalendar()[:2]),
        (monthly, lambda t: (t.year, t.month)),
    ]:
        seen = []
        for moment, name in dated:  # newest first: the first archive of a period is its newest
            key = period(moment)
            if key not in seen:
                if len(seen) == count:
                    break
                seen.append(key)
                keep.add(name)
    return keep


def prune(directory: Path, *, daily: int, weekly: int, monthly: int) -> list[Path]:
    """Delete the archives in ``directory`` that the policy does not keep; returns the deleted paths."""
    names = [p.name for p in directory.iterdir() if p.is_file() and archive_time(p.name)]
    keep = archives_to_keep(names, daily=daily, weekly=weekly, monthly=monthly)
    deleted = []
    for name in sorted(set(names) - keep):
        (directory / name).unlink()
        deleted.append(directory / name)
    return deleted
