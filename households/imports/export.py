"""Scoped export of the household register: the two sheets of the import template, ID numbers and phones
masked, every file marked with who exported it, when and for what, every cell escaped against formulas.

Rows come from ``Household.objects.visible_to(user, "household.export")`` (the installation itself when
``actor`` is None, for the command line), optionally narrowed to one area that must itself be inside the
user's scope (else NotFound, like a missing area). Every export writes an audit event.
"""
import csv
import io
from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import ExtractYear
from django.utils import timezone

from accounts.services import audit_record
from households.choices import HouseholdStatus, Relation
from households.models import (
    HelperAssignment,
    HelpMeasure,
    Household,
    HouseholdStatusChange,
    IncomeRecord,
    Member,
)
from povalleviation.access import Capability, covers, require
from povalleviation.actors import actor_area_code
from povalleviation.errors import ApplicationError, NotFound, PermissionDenied
from povalleviation.personal_data import export_mark, spreadsheet_row
from villages.models import Area

from .columns import COLUMNS_BY_SHEET, HOUSEHOLD_SHEET, INCOME_SHEET, MEASURE_SHEET, MEMBER_SHEET
from .resources import HouseholdResource, IncomeResource, MeasureResource, MemberResource
from .template import XLSX_CONTENT_TYPE, RowWriter, mark_workbook, new_workbook, workbook_bytes

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "csv")


@dataclass
class ExportFile:
    content: bytes
    filename: str
    content_type: str
    households: int
    members: int


def _head_id_number(household_path: str):
    return Subquery(
        Member.objects.filter(**{"household_id": OuterRef(household_path)}, relation=Relation.HEAD, is_registered=True)
        .order_by("id").values("id_number")[:1]
    )


def _open_helper(field: str):
    return Subquery(
        HelperAssignment.objects.filter(household_id=OuterRef("pk"), end_date__isnull=True)
        .order_by("-start_date", "-id").values(f"helper__{field}")[:1]
    )


def _return_year():
    return Subquery(
        HouseholdStatusChange.objects.filter(household_id=OuterRef("pk"), to_status=HouseholdStatus.RETURNED)
        .order_by("-effective_date", "-id").annotate(year=ExtractYear("effective_date")).values("year")[:1]
    )


def yearly_querysets(households):
    """(incomes, measures) of the exported households, each row carrying its household's head ID number."""
    incomes = (IncomeRecord.objects.filter(household__in=households.values("pk")).select_related("household")
               .annotate(head_id_number=_head_id_number("household_id"))
               .order_by("household__area_code", "household__household_number", "year"))
    measures = (HelpMeasure.objects.filter(household__in=households.values("pk")).select_related("household")
                .annotate(head_id_number=_head_id_number("household_id"))
                .order_by("household__area_code", "household__household_number", "year", "id"))
    return incomes, measures


def export_querysets(*, actor, area_code: str | None = None):
    """(households, members, area) inside the actor's export scope; an area outside it is NotFound."""
    households = Household.objects.visible_to(actor, Capability.HOUSEHOLD_EXPORT) if actor is not None else Household.objects.all()
    area = None
    if area_code:
        area = Area.objects.filter(code=area_code.strip()).first()
        if area is None or (actor is not None and not covers(actor, Capability.HOUSEHOLD_EXPORT, area.code)):
            raise NotFound("该区域不存在或不在您的工作范围内")
        households = households.filter(area_code__startswith=area.scope_prefix)
    households = households.active()
    household_rows = households.annotate(
        head_id_number=_head_id_number("pk"), return_year=_return_year(), helper_name=_open_helper("name"),
        helper_unit=_open_helper("unit"), helper_phone=_open_helper("phone"),
    ).order_by("area_code", "household_number")
    members = (
        Member.objects.filter(household__in=households.values("pk"), is_registered=True)
        .select_related("household").annotate(head_id_number=_head_id_number("household_id"))
        .order_by("household__area_code", "household__household_number", "id")
    )
    return household_rows, members, area


def _filename(area, suffix: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    place = f"{area.name}-{area.code}" if area is not None else "全部"
    return f"建档立卡户-{place}-{stamp}{suffix}"


def _datasets(households, members, mask_id_numbers: bool) -> dict:
    """Sheet → its dataset, for the four sheets of the template."""
    incomes, measures = yearly_querysets(households)
    return {HOUSEHOLD_SHEET: HouseholdResource(mask_id_numbers=mask_id_numbers).export(households),
            MEMBER_SHEET: MemberResource(mask_id_numbers=mask_id_numbers).export(members),
            INCOME_SHEET: IncomeResource(mask_id_numbers=mask_id_numbers).export(incomes),
            MEASURE_SHEET: MeasureResource(mask_id_numbers=mask_id_numbers).export(measures)}


def _xlsx(datasets: dict, mark: str, masked: bool) -> bytes:
    workbook, sheets = new_workbook()
    for sheet, dataset in datasets.items():
        writer = RowWriter(sheets[sheet], COLUMNS_BY_SHEET[sheet])
        for row in dataset:
            writer.append(row)
    mark_workbook(workbook, sheets, mark, masked=masked)
    return workbook_bytes(workbook)


def _csv(dataset, mark: str) -> bytes:
    """The mark on the first line, then the header and the rows, every cell escaped against formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(spreadsheet_row([mark]))
    writer.writerow(spreadsheet_row(dataset.headers))
    writer.writerows(spreadsheet_row(row) for row in dataset)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM lets Excel open UTF-8 CSV correctly


@transaction.atomic
def household_export(*, actor, purpose: str, area_code: str | None = None, file_format: str = "xlsx",
                     sheet: str = HOUSEHOLD_SHEET, mask_id_numbers: bool = True) -> ExportFile:
    """Build the export file and record who exported what for which purpose. CSV holds one sheet (``sheet``).
    The file carries the exporter, the time and the purpose (``personal_data.export_mark``)."""
    require(actor, Capability.HOUSEHOLD_EXPORT)
    purpose = " ".join((purpose or "").split())[:100]
    if len(purpose) < 2:
        raise ApplicationError("请填写导出用途（至少 2 个字）", field_errors={"purpose": "请填写导出用途"}, code="purpose_required")
    if file_format not in FORMATS:
        raise NotFound("不支持的导出格式")
    if sheet not in COLUMNS_BY_SHEET:
        raise NotFound("没有这个工作表")
    households, members, area = export_querysets(actor=actor, area_code=area_code)
    if not mask_id_numbers and actor is not None:
        if area is None:
            raise PermissionDenied("导出完整身份证号时须指定区域")
        require(actor, Capability.IDNUMBER_REVEAL, area.code)
    datasets = _datasets(households, members, mask_id_numbers)
    household_count, member_count = len(datasets[HOUSEHOLD_SHEET]), len(datasets[MEMBER_SHEET])
    mark = export_mark(user=actor, purpose=purpose)
    if file_format == "xlsx":
        export = ExportFile(_xlsx(datasets, mark, mask_id_numbers), _filename(area, ".xlsx"),
                            XLSX_CONTENT_TYPE, household_count, member_count)
    else:
        export = ExportFile(_csv(datasets[sheet], mark), _filename(area, f"-{sheet}.csv"), CSV_CONTENT_TYPE,
                            household_count, member_count)
    scope_code = area.code if area is not None else _actor_area_code(actor)
    audit_record(
        actor=actor, action="household.export", area_code=scope_code,
        summary=(f"导出建档立卡户 {export.households} 户、{export.members} 人"
                 f"（{area.name if area is not None else '全部可见区域'}，{file_format}，"
                 f"{'身份证号已脱敏' if mask_id_numbers else '含完整身份证号'}；用途：{purpose}）"),
        changes={"area": area.code if area is not None else "", "format": file_format, "households": export.households,
                 "members": export.members, "masked": mask_id_numbers, "purpose": purpose},
    )
    return export


def _actor_area_code(actor) -> str:
    return actor_area_code(actor, Capability.HOUSEHOLD_EXPORT)
