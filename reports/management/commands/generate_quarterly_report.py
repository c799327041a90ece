"""manage.py generate_quarterly_report --area CODE --quarter 2018Q4 --user USERNAME

Creates the report through ``report_generate`` (same checks as the page) and builds it at once in this
process, then prints the report id, the PDF path and the page count.
"""
import re

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from povalleviation.errors import ApplicationError
from reports.generation import report_build
from reports.models import ReportStatus
from villages.models import Area

QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


class Command(BaseCommand):
    help = "生成一个区域一个季度的进展报告（同步执行），输出报告编号、PDF 路径和页数"

    def add_arguments(self, parser):
        parser.add_argument("--area", required=True, help="区划代码，例如 530427000000")
        parser.add_argument("--quarter", required=True, help="季度，例如 2018Q4")
        parser.add_argument("--user", required=True, help="编制人用户名（须有生成季度报告的权限）")

    def handle(self, *args, **options):
        from django.db import transaction

        from reports.services import report_generate

        match = QUARTER.match(options["quarter"].strip().upper())
        if not match:
            raise CommandError("季度格式应为 YYYYQn，例如 2018Q4")
        area = Area.objects.filter(code=options["area"].strip()).first()
        if area is None:
            raise CommandError(f"区域不存在：{options['area']}")
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"用户不存在：{options['user']}")
        try:
            # Build here, not through the queue: on_commit callbacks run after this block, so the queued
            # task finds the report already built and does nothing.
            with transaction.atomic():
                report = report_generate(actor=user, area=area, year=int(match[1]), quarter=int(match[2]))
            report = report_build(report.pk)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        if report.status != ReportStatus.DRAFT:
            raise CommandError(f"报告 {report.pk} 生成失败：{report.error_message}")
        self.stdout.write(f"报告编号 {report.pk}：{report}")
        self.stdout.write(f"PDF：{report.draft_pdf.path}")
        self.stdout.write(f"页数：{report.page_count}")
