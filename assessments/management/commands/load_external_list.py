"""Load a department's list (低保, 财政供养, 车辆, 商品房 …) for a county, for the identification 比对.

    manage.py load_external_list --area 530427000000 --kind dibao dibao_2026.csv

The CSV (UTF-8, with a header) has the columns id_number (身份证号), name (姓名) and optionally note (说明).
The file replaces the county's previous list of that kind; one bad row refuses the whole file.
"""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.workflows.models import ExternalListKind
from povalleviation.errors import ApplicationError
from villages.models import Area

HEADERS = {
    "id_number": "id_number",
    "身份证号": "id_number",
    "name": "name",
    "姓名": "name",
    "note": "note",
    "说明": "note",
}


class Command(BaseCommand):
    help = "导入部门比对名单（按县、按类别整体替换）"

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="CSV 文件（UTF-8，含表头 id_number,name,note 或 身份证号,姓名,说明）"
        )
        parser.add_argument("--area", required=True, help="县级区划代码")
        parser.add_argument("--kind", required=True, choices=ExternalListKind.values, help="名单类别")

    def handle(self, *args, **options):
        from assessments.workflows.services import external_list_load

        area = Area.objects.filter(code=options["area"]).first()
        if area is None:
            raise CommandError(f"区域 {options['area']} 不存在")
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"文件 {path} 不存在")
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = [
                {HEADERS.get((key or "").strip(), key): value for key, value in row.items()} for row in reader
            ]
        try:
            count = external_list_load(
                actor=None, area=area, kind=options["kind"], rows=rows, source_file=path.name
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            self.style.SUCCESS(f"已导入{area.name}{ExternalListKind(options['kind']).label}名单 {count} 人")
        )
