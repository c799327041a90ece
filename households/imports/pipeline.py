"""Validate-then-commit in one transaction: the entry point of the command, the commit task and the bench."""
import gc
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from households.services.common import translate_integrity_error
from povalleviation.access import Capability, require

from .commit import commit_plans
from .plan import ValidationResult
from .validation import validate_workbook


@dataclass
class ImportOutcome:
    result: ValidationResult
    summary: dict | None = None  # None when nothing was written (errors, or a dry run)

    @property
    def is_committed(self) -> bool:
        return self.summary is not None


@contextmanager
def collector_paused():
    """Pause the cyclic garbage collector while a file's rows are read and written.

    A 90,000-row file keeps a few million small objects alive; every full collection walks all of them,
    which cost about a quarter of the import time. The rows hold no reference cycles worth collecting.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_workbook(*, source, actor, dry_run: bool = False, job=None, progress=None) -> ImportOutcome:
    """Validate ``source`` against the database and, when it has no error and this is not a dry run, write it.

    Validation and writes share one transaction (the households it updates are locked while it runs), so
    what was checked is what lands; any error, or any failure while writing, leaves the database untouched.
    """
    require(actor, Capability.HOUSEHOLD_IMPORT)
    report = progress or (lambda percent, message: None)
    try:
        with collector_paused(), transaction.atomic():
            result = validate_workbook(source=source, actor=actor, lock=not dry_run, progress=progress)
            if not result.is_valid or dry_run:
                return ImportOutcome(result)
            report(92, f"正在写入 {result.household_rows} 户、{result.member_rows} 名成员…")
            summary = commit_plans(plans=result.households, actor=actor, job=job)
    except IntegrityError as error:
        raise translate_integrity_error(error) from error
    return ImportOutcome(result, summary)
