"""Imports confirmed at the same time are written one village at a time, and a person another import registered
meanwhile is named instead of failing on the database constraint.

* ``lock_villages``: before the commit re-checks the file against the database (``existing.match`` with
  ``lock=True``), it takes a PostgreSQL transaction-level advisory lock per village the file touches, in
  ascending id order (two imports sharing villages cannot deadlock). A second import of the same village waits
  for the first to commit, then sees its rows; imports of other villages do not wait. Previews take no lock.
* ``import_conflicts``: a person the re-check finds registered by another import becomes an ``ImportConflict``
  naming the person (masked ID number and name), the row of this file and the other import (job, file name,
  who confirmed it) and its household; the job fails with that message and lists every such row.
* ``conflict_from_integrity_error``: the constraint can still fire (a page edit, or an import of another
  village, registered the person after the re-check): it is translated into the same kind of message.
"""
from django.db import connection

from households.idnumber import mask_id_number
from households.models import HouseholdEvent, ImportJob, Member
from households.services.common import duplicate_person_id, is_duplicate_person_error
from povalleviation.access import Capability, covers
from povalleviation.errors import ApplicationError

from .columns import MEMBER_SHEET, column_by_key

LOCK_NAMESPACE = 0x48494D  # first key of pg_advisory_xact_lock(int, int): "households import, per village"
FILE_NAME_SHOWN = 40  # characters of the other import's file name in a message
REGISTERED_FIELDS = (
    "id", "id_number", "created_at", "household_id", "household__head_name", "household__household_number",
    "household__area_code", "household__village__name",
)


class ImportConflict(ApplicationError):
    """The commit found rows whose person was registered meanwhile; ``errors`` are the error-list entries and
    ``job_fields`` what the failed job keeps (``jobs.run_commit`` stores them with the message)."""

    code = "import_conflict"

    def __init__(self, errors: list[dict]):
        first = errors[0]
        more = f"（另有 {len(errors) - 1} 处，见错误明细）" if len(errors) > 1 else ""
        super().__init__(f"{first['sheet']}第 {first['row']} 行 {first['message']}{more}")
        self.errors = errors
        self.job_fields = {"errors": errors, "error_count": len(errors)}


def lock_villages(village_ids) -> None:
    """Wait for, then hold until the transaction ends, the import lock of each village (ascending ids)."""
    ids = sorted({pk for pk in village_ids if pk is not None})
    if not ids or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for pk in ids:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, pk])


def _registering_jobs(rows: list[dict]) -> dict[int, ImportJob]:
    """Member id → the import that registered it: the commit writes the member and its household's
    ``HouseholdEvent(imported)`` with the same timestamp and the job's id."""
    if not rows:
        return {}
    job_by_event = {}
    for event in HouseholdEvent.objects.filter(
        type=HouseholdEvent.Type.IMPORTED, household_id__in={row["household_id"] for row in rows},
        at__in={row["created_at"] for row in rows},
    ).values("household_id", "at", "changes"):
        job_id = (event["changes"] or {}).get("import_job")
        if job_id:
            job_by_event[(event["household_id"], event["at"])] = job_id
    jobs = ImportJob.objects.select_related("uploaded_by").in_bulk(set(job_by_event.values()))
    found = {}
    for row in rows:
        job = jobs.get(job_by_event.get((row["household_id"], row["created_at"])))
        if job is not None:
            found[row["id"]] = job
    return found


def _person(id_number: str, name: str) -> str:
    return f"身份证号 {mask_id_number(id_number)}" + (f"（{name}）" if name else "")


def _household(row: dict) -> str:
    return (f"{row['household__village__name']} 的 {row['household__head_name']}户"
            f"（户编号 {row['household__household_number']}）")


def _job(job: ImportJob) -> str:
    name = job.original_name if len(job.original_name) <= FILE_NAME_SHOWN else job.original_name[:FILE_NAME_SHOWN] + "…"
    return f"导入任务 #{job.pk}（{name}，{job.uploaded_by} 确认）"


def _error(row: int, message: str) -> dict:
    return {"sheet": MEMBER_SHEET, "row": row, "column": column_by_key(MEMBER_SHEET, "id_number").header,
            "message": message}


def import_conflicts(candidates) -> list[dict]:
    """Of ``candidates`` ((member plan, registered member id), people the uploader may see registered in
    another household), the error entries of those another import registered."""
    if not candidates:
        return []
    rows = {row["id"]: row for row in Member.objects.filter(pk__in=[pk for _, pk in candidates]).values(*REGISTERED_FIELDS)}
    jobs = _registering_jobs(list(rows.values()))
    errors = []
    for member, pk in candidates:
        job = jobs.get(pk)
        if job is None:
            continue
        errors.append(_error(member.row, f"{_person(member.data['id_number'], member.data.get('name') or '')}已由{_job(job)}"
                                         f"登记到 {_household(rows[pk])}，请核对后重新导入"))
    return errors


def conflict_from_integrity_error(error: BaseException, plans, actor) -> ImportConflict | None:
    """The violation of the one-person-one-household constraint while writing ``plans``, as an ``ImportConflict``
    naming the person and the row (and, when the uploader may see it, where and by which import the person was
    registered); None for any other error. Called after the write's savepoint was rolled back."""
    if not is_duplicate_person_error(error):
        return None
    id_number = duplicate_person_id(error)
    member = next((member for plan in plans for member in plan.members if member.data["id_number"] == id_number), None)
    if member is None:
        return None
    person = _person(id_number, member.data.get("name") or "")
    row = Member.objects.filter(id_number=id_number, is_registered=True).values(*REGISTERED_FIELDS).first()
    if row is None or (actor is not None and not covers(actor, Capability.HOUSEHOLD_VIEW, row["household__area_code"])):
        message = f"{person}在写入时已被登记在其他在册户中，一人只能在一个在册户中；请核对后重新导入"
    else:
        job = _registering_jobs([row]).get(row["id"])
        by = f"已由{_job(job)}" if job is not None else "在写入时已被"
        message = f"{person}{by}登记到 {_household(row)}，请核对后重新导入"
    return ImportConflict([_error(member.row, message)])
