"""Render a report's snapshot to PDF with WeasyPrint (A4, Noto CJK, page numbers, table of contents).

The template ``reports/report_pdf.html`` reads only the snapshot and the report's own fields (area, quarter,
version, people); charts are SVG made here. The verification URL and its QR code go on the cover; the last
page (签署页) keeps its lower part free for the signature stamp placed by ``reports.signing.sign_pdf``.
"""
import datetime

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from povalleviation.charts import bar_chart

from .cells import cell
from .rendering_tables import conditions_tables, helpers_tables, quality_by_village, quality_tables


def verify_url(report) -> str:
    """The public verification URL printed on the cover and in the signature stamp."""
    try:
        path = reverse("report_verify:verify", args=[report.verification_token])
    except NoReverseMatch:
        path = f"/reports/verify/{report.verification_token}/"
    return settings.SITE_URL + path


def _qr_svg(url: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=3, border=2)
    return svg


def _charts(snapshot: dict) -> dict:
    plans = snapshot["plans"]
    names = [row["name"] for row in plans["rows"]]
    population = snapshot["population"]
    funds = snapshot["funds"]
    child_funds = funds["by_child"]
    target = funds["total"]["target"]
    return {
        "plan_households": bar_chart(
            names, [("计划脱贫户数", [row["planned_households"] for row in plans["rows"]]),
                    ("实际脱贫户数", [row["actual_households"] for row in plans["rows"]])],
            title=f"{plans['year']}年脱贫计划与实际（户）"),
        "plan_persons": bar_chart(
            names, [("计划脱贫人数", [row["planned_persons"] for row in plans["rows"]]),
                    ("实际脱贫人数", [row["actual_persons"] for row in plans["rows"]])],
            title=f"{plans['year']}年脱贫计划与实际（人）"),
        "stock": bar_chart(
            [row["name"] for row in population["rows"]],
            [("期初贫困人口", [row["opening_persons"] for row in population["rows"]]),
             ("期末贫困人口", [row["persons"] for row in population["rows"]])],
            title="贫困人口期初与期末（人）"),
        "spend": bar_chart(
            ["本级" if row["code"] == snapshot["meta"]["area_code"] else row["label"] for row in child_funds],
            [("支出进度", [None if row["ratio"] is None else float(row["ratio"]) * 100 for row in child_funds])],
            title="资金支出进度（%）", percent=True,
            target=None if target is None else float(target) * 100, target_label="目标"),
    }


def report_context(report, *, final: bool = False) -> dict:
    snapshot = report.snapshot
    url = verify_url(report)
    return {
        "report": report, "s": snapshot, "meta": snapshot["meta"], "charts": _charts(snapshot),
        "conditions_tables": conditions_tables(snapshot), "helpers_tables": helpers_tables(snapshot),
        "quality_tables": quality_tables(snapshot), "quality_by_village": quality_by_village(snapshot),
        "is_final": final, "verify_url": url, "qr_svg": _qr_svg(url), "oversight_tables": oversight_tables(snapshot.get("oversight", {})),
        "generated_on": (report.generated_at or datetime.datetime.now(datetime.UTC)).astimezone(
            datetime.timezone(datetime.timedelta(hours=8))),
        "title": f"{snapshot['meta']['area_name']}脱贫攻坚工作季度进展报告（{report.year}年第{report.quarter}季度）",
    }


def render_report_pdf(report, *, final: bool = False) -> tuple[bytes, int]:
    """(PDF bytes, page count) of the report; ``final`` for the copy about to be signed (no draft mark)."""
    from weasyprint import HTML

    html = render_to_string("reports/report_pdf.html", report_context(report, final=final))
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    return document.write_pdf(), len(document.pages)


RECTIFICATION_HEADERS = ["总数", "已销号", "整改中", "逾期", "本季度新增", "约谈/通报", "销号率"]


def _rectification_row(label, row):
    return [cell(label, False)] + [cell(row.get(key)) for key in
                                    ("total", "closed", "in_progress", "overdue", "new_since", "escalations")] + [
        cell(f"{row['closure_rate']}%" if row.get("closure_rate") is not None else None)]


def oversight_tables(oversight: dict) -> list[dict]:
    """Section 9 as tables from the two oversight summaries stored in the snapshot."""
    rectification, complaints = oversight.get("rectification", {}), oversight.get("complaints", {})
    totals = rectification.get("totals", {})
    tables = [
        {"title": "（一）整改事项（按问题来源）", "headers": ["问题来源"] + RECTIFICATION_HEADERS,
         "rows": [_rectification_row(row.get("label", row.get("source_kind")), row) for row in rectification.get("by_source", [])]
         + ([_rectification_row("合计", totals)] if totals else [])},
        {"title": "（二）整改事项（按问题类别）", "headers": ["问题类别"] + RECTIFICATION_HEADERS,
         "rows": [_rectification_row(row.get("category"), row) for row in rectification.get("by_category", [])]},
        {"title": "（三）逾期未销号事项", "headers": ["区域", "问题", "责任单位", "整改时限", "逾期天数"],
         "rows": [[cell(row.get("area_name"), False), cell(row.get("title"), False), cell(row.get("responsible_unit"), False),
                   cell(row.get("deadline"), False), cell(row.get("days_overdue"))]
                  for row in rectification.get("overdue_items", [])]},
    ]
    received = complaints.get("received", {})
    channel_rows = [[cell(row.get("label", row.get("channel")), False)] + [
        cell(row.get(key)) for key in ("received", "received_since", "replied", "closed", "overdue")]
        for row in complaints.get("by_channel", [])]
    if received:
        channel_rows.append([cell("合计", False), cell(received.get("total")), cell(received.get("since")),
                             cell(complaints.get("replied")), cell(complaints.get("closed")), cell(complaints.get("overdue"))])
    tables.append({"title": "（四）投诉举报办理（按渠道）", "headers": ["渠道", "累计收到", "本季度收到", "已答复", "已办结", "逾期未答复"],
                   "rows": channel_rows,
                   "note": f"平均答复用时 {complaints.get('average_days_to_reply') or '—'} 天"})
    return tables
