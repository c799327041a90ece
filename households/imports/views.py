"""Import pages (upload, template and its help page, job progress and preview, error file, confirm) and the
export download.

Import pages need ``household.import``; a job is found only among the user's own jobs inside that scope,
so someone else's job and a missing one are both 404. The export needs ``household.export``.
"""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views import View

from households.models import ImportJob
from households.views.purpose import ask_purpose, purpose_from
from povalleviation import errors
from povalleviation.access import Capability
from povalleviation.views import CapabilityRequiredMixin

from .aliases import header_table, value_tables
from .columns import COLUMNS_BY_SHEET, Column
from .errors import format_error
from .export import FORMATS, household_export
from .jobs import import_job_confirm, import_job_create
from .template import TEMPLATE_FILENAME, XLSX_CONTENT_TYPE, template_bytes

ERRORS_PER_PAGE = 500
RUNNING = (ImportJob.Status.UPLOADED, ImportJob.Status.VALIDATING, ImportJob.Status.COMMITTING)


def user_jobs(user):
    return ImportJob.objects.visible_to(user, Capability.HOUSEHOLD_IMPORT).filter(uploaded_by=user)


def get_job(user, pk) -> ImportJob:
    return get_object_or_404(user_jobs(user), pk=pk)


def job_status(job: ImportJob) -> dict:
    """The JSON the job page polls (and the API mirrors)."""
    return {
        "id": job.pk, "status": job.status, "status_display": job.get_status_display(), "progress": job.progress,
        "message": job.message, "error_count": job.error_count, "household_rows": job.household_rows,
        "member_rows": job.member_rows, "is_running": job.status in RUNNING,
    }


def attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


class ImportUploadView(CapabilityRequiredMixin, View):
    required_capability = Capability.HOUSEHOLD_IMPORT
    template_name = "households/imports/upload.html"

    def render_page(self, request, error="", status=200):
        jobs = user_jobs(request.user).order_by("-created_at", "-id")[:20]
        return render(request, self.template_name, {"jobs": jobs, "error": error}, status=status)

    def get(self, request):
        return self.render_page(request)

    def post(self, request):
        uploaded = request.FILES.get("file")
        if uploaded is None:
            return self.render_page(request, "请选择要上传的 Excel 文件", status=400)
        try:
            job = import_job_create(actor=request.user, uploaded_file=uploaded)
        except errors.PermissionDenied as error:
            raise PermissionDenied(error.message) from error
        except errors.ApplicationError as error:
            return self.render_page(request, error.message, status=400)
        return redirect("household_imports:job", pk=job.pk)


class TemplateDownloadView(CapabilityRequiredMixin, View):
    required_capability = Capability.HOUSEHOLD_IMPORT

    def get(self, request):
        return attachment(template_bytes(), TEMPLATE_FILENAME, XLSX_CONTENT_TYPE)


def _column_help(column: Column) -> dict:
    return {"header": column.header, "required": column.required, "hint": column.hint,
            "labels": [label for label in column.labels if label] if column.choices else []}


def _table_column(table: dict) -> Column | None:
    """The template column a value table is for: on its ``sheet`` when it names one, else the first with its key."""
    sheets = [table["sheet"]] if table.get("sheet") in COLUMNS_BY_SHEET else list(COLUMNS_BY_SHEET)
    return next((column for sheet in sheets for column in COLUMNS_BY_SHEET[sheet]
                 if column.key == table["column"] and column.choices), None)


def _value_label(column: Column | None, value) -> str:
    """How an alias's stored value is shown: the column's label, with a national code (与户主关系 41) before it."""
    if column is None:
        return str(value)
    label = column.label_for(value)
    return f"{value} {label}" if isinstance(value, str) and value.isdigit() and value != label else label


def help_tables() -> dict:
    """What the help page shows: every sheet's columns, then every alias table (read generically, so a table
    added to households/fixtures/import_aliases/ appears without a change here)."""
    sheets = [{"name": sheet, "columns": [_column_help(column) for column in columns]}
              for sheet, columns in COLUMNS_BY_SHEET.items()]
    headers = header_table()
    header_sheets = [{"name": sheet, "rows": sorted(aliases.items(), key=lambda item: (item[1], item[0]))}
                     for sheet, aliases in (headers.get("sheets") or {}).items() if aliases]
    tables = value_tables()
    values = []
    for table in (tables.values() if isinstance(tables, dict) else tables):
        column = _table_column(table)
        retired = column.retired if column is not None else set()
        values.append({
            "title": table.get("title") or (column.header if column else table["column"]),
            "sheet": table.get("sheet", ""), "header": column.header if column else "", "note": table.get("note", ""),
            "rows": [{"alias": alias, "label": _value_label(column, value), "retired": str(value) in retired}
                     for alias, value in table["aliases"].items()],
        })
    return {"sheets": sheets, "header_aliases": {"title": headers.get("title") or "表头的其他名称",
                                                 "note": headers.get("note", ""), "sheets": header_sheets},
            "value_tables": values}


class TemplateHelpView(CapabilityRequiredMixin, View):
    """填写说明: the template's columns (required or not, hint, offered labels) and the alias tables."""

    required_capability = Capability.HOUSEHOLD_IMPORT
    template_name = "households/imports/help.html"

    def get(self, request):
        return render(request, self.template_name, help_tables())


class ImportJobView(CapabilityRequiredMixin, View):
    required_capability = Capability.HOUSEHOLD_IMPORT
    template_name = "households/imports/job.html"

    def get(self, request, pk):
        job = get_job(request.user, pk)
        page = Paginator(job.errors or [], ERRORS_PER_PAGE).get_page(request.GET.get("page"))
        notes = (job.summary or {}).get("column_notes") or []  # headers not imported, or read under another name
        return render(request, self.template_name, {
            "job": job, "status": job_status(job), "errors_page": page,
            "error_lines": [{**error, "line": format_error(error)} for error in page.object_list],
            "is_running": job.status in RUNNING, "can_confirm": job.status == ImportJob.Status.VALID,
            "status_url": reverse("household_imports:status", args=[job.pk]),
            "unknown_columns": [note for note in notes if not note.get("mapped_to")],
            "mapped_columns": [note for note in notes if note.get("mapped_to")],
        })


class ImportJobStatusView(CapabilityRequiredMixin, View):
    required_capability = Capability.HOUSEHOLD_IMPORT

    def get(self, request, pk):
        return JsonResponse(job_status(get_job(request.user, pk)))


class ImportJobErrorFileView(CapabilityRequiredMixin, View):
    required_capability = Capability.HOUSEHOLD_IMPORT

    def get(self, request, pk):
        job = get_job(request.user, pk)
        if not job.error_file:
            raise Http404("没有标注错误的文件")
        stem = job.original_name.rsplit(".", 1)[0]
        return FileResponse(job.error_file.open("rb"), as_attachment=True, filename=f"{stem}-错误标注.xlsx",
                            content_type=XLSX_CONTENT_TYPE)


class ImportJobConfirmView(CapabilityRequiredMixin, View):
    required_capability = Capability.HOUSEHOLD_IMPORT

    def post(self, request, pk):
        job = get_job(request.user, pk)
        try:
            import_job_confirm(actor=request.user, job=job)
        except errors.PermissionDenied as error:
            raise PermissionDenied(error.message) from error
        except errors.ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "已确认导入，正在写入数据库…")
        return redirect("household_imports:job", pk=job.pk)


class HouseholdExportView(CapabilityRequiredMixin, View):
    """``?area=CODE`` (inside the user's scope, else 404), ``format=xlsx|csv``, ``sheet=`` for CSV and
    ``purpose=`` (用途, asked on a form first when missing; it is printed in the file and audited)."""

    required_capability = Capability.HOUSEHOLD_EXPORT

    def get(self, request):
        file_format = request.GET.get("format") or "xlsx"
        sheet = request.GET.get("sheet") or "户信息"
        if file_format not in FORMATS:
            raise Http404("不支持的导出格式")
        purpose = purpose_from(request.GET)
        if not purpose:
            return ask_purpose(request, title="导出建档立卡户", submit_label="导出")
        try:
            export = household_export(actor=request.user, area_code=request.GET.get("area") or None,
                                      file_format=file_format, sheet=sheet, purpose=purpose)
        except errors.NotFound as error:
            raise Http404(error.message) from error
        except errors.PermissionDenied as error:
            raise PermissionDenied(error.message) from error
        return attachment(export.content, export.filename, export.content_type)
