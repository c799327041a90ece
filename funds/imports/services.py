"""Writes of the fund Excel import: keep an uploaded file with its preview, and commit it once (all or nothing)."""
from django.db import transaction

from accounts.services import audit_record
from povalleviation.access import Capability, require
from povalleviation.errors import ApplicationError, Conflict, NotFound

from ..models import FundImportBatch
from .excel import run_import

ALREADY_COMMITTED = "该文件已导入，不能重复导入；如需补充，请上传新的文件。"
HAS_ERRORS = "该文件有错误，不能导入；请按错误清单修改后重新上传。"


@transaction.atomic
def fund_import_batch_create(*, actor, file_name: str, content: bytes) -> FundImportBatch:
    """Check every row of an uploaded file without keeping anything, and keep the file with its errors for the preview.

    A file that cannot be read as .xlsx is refused (ApplicationError) and nothing is kept.
    """
    require(actor, Capability.FUND_ALLOCATE)
    result = run_import(actor=actor, content=content, commit=False)
    batch = FundImportBatch.objects.create(
        uploaded_by=actor, file_name=file_name[:200], content=content, errors=result["errors"],
        allocation_rows=result["allocations"], disbursement_rows=result["disbursements"],
    )
    audit_record(actor=actor, action="fund.import_upload", target=batch,
                 summary=f"上传资金导入文件“{batch.file_name}”：下达 {batch.allocation_rows} 行、报账 {batch.disbursement_rows} 行，"
                         f"错误 {len(batch.errors)} 处",
                 changes={"batch": batch.pk, "errors": len(batch.errors)})
    return batch


@transaction.atomic
def fund_import_batch_confirm(*, actor, batch: FundImportBatch) -> dict:
    """Commit an uploaded file: every row is kept, or none.

    The batch row is locked first, so of two confirms of the same file one commits and the other waits, then is
    refused (Conflict, 409) without writing anything. If the ledger changed since the preview and a row is now
    refused, nothing is kept and the batch records the new errors. Returns ``run_import``'s counts and errors.
    """
    require(actor, Capability.FUND_ALLOCATE)
    batch = FundImportBatch.objects.select_for_update().filter(pk=batch.pk, uploaded_by_id=getattr(actor, "pk", None)).first()
    if batch is None:
        raise NotFound("找不到该导入文件。")
    if batch.is_committed:
        raise Conflict(ALREADY_COMMITTED, code="already_committed")
    if batch.errors:
        raise ApplicationError(HAS_ERRORS, code="has_errors")
    result = run_import(actor=actor, content=bytes(batch.content), commit=True)
    if result["committed"]:
        batch.is_committed = True
        batch.save(update_fields=["is_committed"])
        summary = f"导入资金文件“{batch.file_name}”：下达 {result['allocations']} 笔、报账 {result['disbursements']} 笔"
    else:
        batch.errors = result["errors"]
        batch.save(update_fields=["errors"])
        summary = f"导入资金文件“{batch.file_name}”时发现 {len(result['errors'])} 处错误，全部未导入"
    audit_record(actor=actor, action="fund.import_commit", target=batch, summary=summary,
                 changes={"batch": batch.pk, "committed": result["committed"], "errors": len(result["errors"])},
                 outcome="success" if result["committed"] else "failure")
    return result
