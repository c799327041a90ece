"""Household imports confirmed at the same time, each committed on its own thread and database connection
(real PostgreSQL): imports of one village are written one after the other and a person both register fails the
second with a message naming the person, its row and the first import; imports of different villages do not
wait for each other; a person registered by a page edit while an import writes is named, not a 系统错误."""
import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import AuditEvent
from accounts.services import post_assign
from conftest import VILLAGE_A, VILLAGE_B
from households import tasks
from households.idnumber import mask_id_number
from households.imports import commit, jobs, locks
from households.imports.jobs import import_job_confirm, import_job_create
from households.models import Household, HouseholdEvent, ImportJob, Member
from households.services.common import translate_integrity_error
from households.tests.factories import member_data, register_household
from households.tests.import_files import (
    household_with_spouse,
    member_row,
    person_id,
    workbook_bytes,
    xlsx_upload,
)
from povalleviation.roles import Role
from villages.models import Area

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media_root")]
WAIT = 60  # seconds before a thread that should have moved on is declared stuck


@pytest.fixture
def confirmed(monkeypatch, eager_tasks):
    """Upload, validate (eagerly) and confirm a file; the commit task is left for the test to run."""
    queued = []
    send = jobs.send_on_commit

    def hold_commits(task, job_id):
        if task == jobs.COMMIT_TASK:
            queued.append(job_id)
        else:
            send(task, job_id)

    monkeypatch.setattr(jobs, "send_on_commit", hold_commits)

    def confirm(actor, content: bytes, name: str) -> ImportJob:
        job = import_job_create(actor=actor, uploaded_file=xlsx_upload(content, name))
        job.refresh_from_db()
        assert job.status == ImportJob.Status.VALID, job.errors
        import_job_confirm(actor=actor, job=job)
        assert queued[-1] == job.pk
        return job

    return confirm


@pytest.fixture
def held_lock(monkeypatch):
    """The commit running on the thread named "first" stops right after taking its village locks until
    ``release`` is set; ``taken`` is set once it holds them."""
    taken, release = threading.Event(), threading.Event()
    real = locks.lock_villages

    def lock_and_hold(village_ids):
        real(village_ids)
        if threading.current_thread().name == "first":
            taken.set()
            release.wait(WAIT)

    monkeypatch.setattr(locks, "lock_villages", lock_and_hold)
    yield taken, release
    release.set()


def _commit_on_thread(job: ImportJob, name: str) -> threading.Thread:
    def run():
        try:
            tasks.commit_import_task.apply(args=(job.pk,))
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def _wait_for_backend_waiting(wait_event_type: str, wait_event: str | None = None):
    """Poll until another connection of this database waits on a lock of that kind (the proof that it is
    blocked, not merely slow)."""
    deadline = time.monotonic() + WAIT
    query = ("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
             "AND wait_event_type = %s" + (" AND wait_event = %s" if wait_event else ""))
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(query, [wait_event_type, *([wait_event] if wait_event else [])])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    pytest.fail(f"no connection started waiting on {wait_event_type}/{wait_event}")


def _job(job: ImportJob) -> ImportJob:
    return ImportJob.objects.get(pk=job.pk)


def test_imports_of_one_village_sharing_a_person_commit_one_after_the_other(village_cadre_a, confirmed, held_lock):
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL (advisory locks, concurrent connections)")
    first_household, first_members = household_with_spouse(0)  # 户主0 and 配偶0 (person 1)
    shared = member_row(1, head=10, name="李梅", relation="配偶", odd=False)  # 成员信息 row 3 of the second file
    first = confirmed(village_cadre_a, workbook_bytes([first_household], first_members), "台账一.xlsx")
    second = confirmed(village_cadre_a, workbook_bytes([household_with_spouse(10)[0]], [member_row(10, head=10), shared]),
                       "台账二.xlsx")
    taken, release = held_lock

    first_thread = _commit_on_thread(first, "first")
    assert taken.wait(WAIT)
    second_thread = _commit_on_thread(second, "second")
    _wait_for_backend_waiting("Lock", "advisory")  # the second commit waits for the village lock …
    release.set()  # … until the first commits
    for thread in (first_thread, second_thread):
        thread.join(WAIT)
        assert not thread.is_alive()

    assert _job(first).status == ImportJob.Status.COMMITTED
    failed = _job(second)
    household = Household.objects.get()
    expected = (f"身份证号 {mask_id_number(person_id(1, odd=False))}（李梅）已由导入任务 #{first.pk}（台账一.xlsx，cadre_a 确认）"
                f"登记到 太和村委会 的 户主0户（户编号 {household.household_number}），请核对后重新导入")
    assert failed.status == ImportJob.Status.FAILED
    assert failed.message == f"导入失败：成员信息第 3 行 {expected}"
    assert failed.errors == [{"sheet": "成员信息", "row": 3, "column": "身份证号", "message": expected}]
    assert failed.error_count == 1
    # Nothing of the failed import was written.
    assert household.head_name == "户主0" and Household.objects.count() == 1
    assert not Member.objects.filter(id_number=person_id(10)).exists()
    assert Member.objects.get(id_number=person_id(1, odd=False)).name == "配偶0"
    assert HouseholdEvent.objects.filter(changes__import_job=second.pk).count() == 0
    assert not AuditEvent.objects.filter(action="household.import", object_id=str(second.pk)).exists()
    assert AuditEvent.objects.filter(action="household.import", object_id=str(first.pk)).count() == 1


def test_imports_of_different_villages_do_not_wait_for_each_other(village_cadre_a, village_cadre_b, confirmed, held_lock):
    first = confirmed(village_cadre_a, workbook_bytes(*_one_household(0, VILLAGE_A)), "太和村.xlsx")
    second = confirmed(village_cadre_b, workbook_bytes(*_one_household(20, VILLAGE_B)), "勐炳村.xlsx")
    taken, release = held_lock

    first_thread = _commit_on_thread(first, "first")
    assert taken.wait(WAIT)
    second_thread = _commit_on_thread(second, "second")
    second_thread.join(WAIT)  # committed while the first import still holds its village lock
    assert not second_thread.is_alive() and _job(second).status == ImportJob.Status.COMMITTED
    assert _job(first).status == ImportJob.Status.COMMITTING
    release.set()
    first_thread.join(WAIT)
    assert not first_thread.is_alive() and _job(first).status == ImportJob.Status.COMMITTED
    assert set(Household.objects.values_list("village__code", flat=True)) == {VILLAGE_A, VILLAGE_B}


def _one_household(person: int, village: str):
    household, members = household_with_spouse(person, village=village)
    return [household], members


def test_a_person_registered_by_a_page_edit_while_the_import_writes_is_named(village_cadre_a, confirmed):
    job = confirmed(village_cadre_a, workbook_bytes(*_one_household(30, VILLAGE_A)), "台账.xlsx")
    spouse = person_id(31, odd=False)  # 配偶30, 成员信息 row 3
    registered, go = threading.Event(), threading.Event()

    def page_edit():
        try:
            with transaction.atomic():
                register_household(actor=village_cadre_a, area=Area.objects.get(code=VILLAGE_A), sequence=0,
                                   head_name="赵六", members=[{**member_data(0, name="赵六"), "id_number": spouse}])
                registered.set()
                go.wait(WAIT)
        finally:
            connection.close()

    editor = threading.Thread(target=page_edit)
    editor.start()
    assert registered.wait(WAIT)
    importer = _commit_on_thread(job, "importer")  # its re-check cannot see the uncommitted registration …
    _wait_for_backend_waiting("Lock")  # … and it waits for the page edit's village row lock
    go.set()
    for thread in (editor, importer):
        thread.join(WAIT)
        assert not thread.is_alive()

    failed = _job(job)
    other = Household.objects.get()
    expected = (f"身份证号 {mask_id_number(spouse)}（配偶30）在写入时已被登记到 太和村委会 的 赵六户"
                f"（户编号 {other.household_number}），请核对后重新导入")
    assert failed.status == ImportJob.Status.FAILED and failed.message == f"导入失败：成员信息第 3 行 {expected}"
    assert failed.errors == [{"sheet": "成员信息", "row": 3, "column": "身份证号", "message": expected}]
    assert other.head_name == "赵六" and not Member.objects.filter(id_number=person_id(30)).exists()


def test_the_constraint_on_a_page_edit_names_the_person(village_cadre_a):
    area = Area.objects.get(code=VILLAGE_A)
    register_household(actor=village_cadre_a, area=area, sequence=0, head_name="王五")
    other = register_household(actor=village_cadre_a, area=area, sequence=1, head_name="孙七")
    twin = Member.objects.get(name="王五")
    twin.pk, twin.household, twin.name = None, other, "王五"
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        twin.save()
    refusal = translate_integrity_error(caught.value, name="王五")
    assert refusal.message == (f"身份证号 {mask_id_number(twin.id_number)}（王五）已登记在册，一人只能在一个在册户中；"
                               "请联系乡镇扶贫工作站核实")
    assert refusal.code == "duplicate_person" and refusal.field_errors == {"id_number": refusal.message}


@pytest.mark.parametrize("second_uploader_sees_village_a", [True, False])
def test_imports_of_two_villages_sharing_a_person_name_the_person(village_cadre_a, village_cadre_b, confirmed, monkeypatch,
                                                                  second_uploader_sees_village_a):
    """Different villages take different locks: the second import's re-check cannot see the person the first is
    writing, its insert waits for the first to commit and violates the constraint, which is translated. Where
    the person was registered is named only to an uploader who may see that village."""
    if second_uploader_sees_village_a:  # a cadre of both villages uploads both files
        post_assign(actor=None, user=village_cadre_a, area=Area.objects.get(code=VILLAGE_B), role=Role.VILLAGE_CADRE)
    second_uploader = village_cadre_a if second_uploader_sees_village_a else village_cadre_b
    first_household, first_members = household_with_spouse(0)
    shared = member_row(1, head=10, name="李梅", relation="配偶", odd=False)
    first = confirmed(village_cadre_a, workbook_bytes([first_household], first_members), "太和村.xlsx")
    second = confirmed(second_uploader, workbook_bytes([household_with_spouse(10, village=VILLAGE_B)[0]],
                                                        [member_row(10, head=10), shared]), "勐炳村.xlsx")
    written, release = threading.Event(), threading.Event()
    real_audit = commit.audit_record

    def audit_after_holding(**kwargs):  # the first import has written its rows, not yet committed them
        if threading.current_thread().name == "first":
            written.set()
            release.wait(WAIT)
        return real_audit(**kwargs)

    monkeypatch.setattr(commit, "audit_record", audit_after_holding)
    first_thread = _commit_on_thread(first, "first")
    assert written.wait(WAIT)
    second_thread = _commit_on_thread(second, "second")
    _wait_for_backend_waiting("Lock", "transactionid")  # the second's insert waits on the first's person
    release.set()
    for thread in (first_thread, second_thread):
        thread.join(WAIT)
        assert not thread.is_alive()

    assert _job(first).status == ImportJob.Status.COMMITTED
    household = Household.objects.get()
    person = f"身份证号 {mask_id_number(person_id(1, odd=False))}（李梅）"
    expected = (f"{person}已由导入任务 #{first.pk}（太和村.xlsx，cadre_a 确认）登记到 太和村委会 的 户主0户"
                f"（户编号 {household.household_number}），请核对后重新导入" if second_uploader_sees_village_a
                else f"{person}在写入时已被登记在其他在册户中，一人只能在一个在册户中；请核对后重新导入")
    failed = _job(second)
    assert failed.status == ImportJob.Status.FAILED and failed.message == f"导入失败：成员信息第 3 行 {expected}"
    assert failed.errors == [{"sheet": "成员信息", "row": 3, "column": "身份证号", "message": expected}]
    assert household.village.code == VILLAGE_A and not Member.objects.filter(id_number=person_id(10)).exists()


def test_two_imports_sharing_a_person_started_together_give_one_import(village_cadre_a, confirmed):
    """No steering: both commits start at once; whichever takes the village lock first imports, the other fails
    naming it."""
    first_household, first_members = household_with_spouse(0)
    jobs = [confirmed(village_cadre_a, workbook_bytes([first_household], first_members), "台账一.xlsx"),
            confirmed(village_cadre_a, workbook_bytes([household_with_spouse(10)[0]], [
                member_row(10, head=10), member_row(1, head=10, name="李梅", relation="配偶", odd=False)]), "台账二.xlsx")]
    start = threading.Barrier(2)

    def commit_after_barrier(job):
        try:
            start.wait(WAIT)
            tasks.commit_import_task.apply(args=(job.pk,))
        finally:
            connection.close()

    threads = [threading.Thread(target=commit_after_barrier, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
        assert not thread.is_alive()

    statuses = {job.pk: _job(job) for job in jobs}
    committed = [job for job in statuses.values() if job.status == ImportJob.Status.COMMITTED]
    failed = [job for job in statuses.values() if job.status == ImportJob.Status.FAILED]
    assert len(committed) == 1 and len(failed) == 1
    winner, loser = committed[0], failed[0]
    person = mask_id_number(person_id(1, odd=False))
    row = 3
    assert loser.message.startswith(f"导入失败：成员信息第 {row} 行 身份证号 {person}（")
    assert f"已由导入任务 #{winner.pk}（{winner.original_name}，cadre_a 确认）登记到 太和村委会 的 " in loser.message
    assert loser.error_count == 1 and loser.errors[0]["row"] == row
    assert Household.objects.count() == 1 and Household.objects.get().head_name == ("户主0" if winner.pk == jobs[0].pk else "户主10")
