"""Committing an uploaded fund file happens once: two confirms at the same time (two database connections) give
one import and one Chinese refusal, and no row is written twice."""
import io
import threading
import time

import pytest
from django.db import close_old_connections, connection
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import AuditEvent
from conftest import COUNTY
from funds.imports import excel
from funds.imports.excel import ALLOCATION_COLUMNS, ALLOCATION_SHEET, DISBURSEMENT_COLUMNS, DISBURSEMENT_SHEET
from funds.imports.services import ALREADY_COMMITTED, fund_import_batch_confirm, fund_import_batch_create
from funds.models import FundAllocation, FundImportBatch
from povalleviation.errors import ApplicationError, Conflict
from projects.services import fund_sources_ensure

ROW = ["central_special", COUNTY, 2024, "玉财农〔2024〕9号", "2024-07-01", "30000", ""]


def _content(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = ALLOCATION_SHEET
    sheet.append(ALLOCATION_COLUMNS)
    for row in rows:
        sheet.append(row)
    workbook.create_sheet(DISBURSEMENT_SHEET).append(DISBURSEMENT_COLUMNS)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def sources(db):
    fund_sources_ensure()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_confirms_import_once(county_officer, areas, sources, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL (row locks)")
    batch = fund_import_batch_create(actor=county_officer, file_name="资金.xlsx", content=_content([ROW]))
    assert batch.errors == [] and FundAllocation.objects.count() == 0

    # Hold each import open a moment, so that both confirms are inside their transactions together: without the
    # row lock both would see "not yet committed" and both would import.
    real_run_import = excel.run_import

    def slow_run_import(**kwargs):
        time.sleep(0.5)
        return real_run_import(**kwargs)

    monkeypatch.setattr("funds.imports.services.run_import", slow_run_import)
    start = threading.Barrier(2)
    outcomes = []

    def confirm():
        close_old_connections()
        try:
            start.wait()
            outcomes.append(fund_import_batch_confirm(actor=county_officer, batch=batch))
        except ApplicationError as error:
            outcomes.append(error)
        finally:
            connection.close()  # each thread used its own database connection

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    committed = [o for o in outcomes if isinstance(o, dict)]
    assert len(committed) == 1 and committed[0]["committed"] and committed[0]["allocations"] == 1
    assert len(refused) == 1 and isinstance(refused[0], Conflict) and refused[0].message == ALREADY_COMMITTED
    assert "已导入" in refused[0].message
    assert FundAllocation.objects.filter(document_number="玉财农〔2024〕9号").count() == 1
    assert FundImportBatch.objects.get(pk=batch.pk).is_committed
    assert AuditEvent.objects.filter(action="fund.allocate").count() == 1
    assert AuditEvent.objects.filter(action="fund.import_commit", object_id=str(batch.pk)).count() == 1


@pytest.mark.django_db
def test_page_confirm_twice_says_already_imported(county_officer, client_for, areas, sources):
    client = client_for(county_officer)
    upload = io.BytesIO(_content([ROW]))
    upload.name = "资金.xlsx"
    response = client.post(reverse("funds:import"), {"file": upload})
    batch = FundImportBatch.objects.get()
    assert response["Location"] == reverse("funds:import_preview", kwargs={"pk": batch.pk})
    assert AuditEvent.objects.filter(action="fund.import_upload", object_id=str(batch.pk)).exists()
    first = client.post(response["Location"], follow=True).content.decode()
    assert "已导入资金下达 1 笔" in first
    second = client.post(response["Location"], follow=True).content.decode()
    assert "该文件已导入，不能重复导入" in second
    assert FundAllocation.objects.count() == 1


@pytest.mark.django_db
def test_file_with_errors_cannot_be_confirmed(county_officer, areas, sources):
    bad = [*ROW[:1], "999999999999", *ROW[2:]]
    batch = fund_import_batch_create(actor=county_officer, file_name="错.xlsx", content=_content([bad]))
    assert batch.errors and batch.errors[0]["column"] == "接收区划代码"
    with pytest.raises(ApplicationError, match="该文件有错误，不能导入"):
        fund_import_batch_confirm(actor=county_officer, batch=batch)
    assert FundAllocation.objects.count() == 0
