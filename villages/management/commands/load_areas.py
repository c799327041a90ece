import csv

from django.core.management.base import BaseCommand, CommandError

from villages.services import areas_load


class Command(BaseCommand):
    help = "导入区域列表（CSV：code,name[,level,parent_code]，国家统计用区划代码格式）。有任何错误则整表不导入。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--demo", action="store_true", help="标记为演示数据")

    def handle(self, *args, file, dry_run, demo, **options):
        try:
            with open(file, encoding="utf-8-sig", newline="") as handle:
                rows = [(number, row) for number, row in enumerate(csv.DictReader(handle), start=2)]
        except OSError as error:
            raise CommandError(f"无法读取文件 {file}：{error}") from error
        result = areas_load(actor=None, rows=rows, is_demo=demo, dry_run=dry_run)
        if not result.ok:
            for message in result.errors:
                self.stderr.write(message)
            raise CommandError(f"共 {len(result.errors)} 处错误，未导入任何区域。")
        self.stdout.write(
            f"{'检查通过' if dry_run else '导入完成'}：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}"
        )
