from django.core.management.base import BaseCommand, CommandError

from assessments.eligibility.services import eligibility_recompute
from povalleviation.errors import ApplicationError
from villages.models import Area


class Command(BaseCommand):
    help = "按区域（县、乡镇或村）重算某年度全部建档立卡户和村、县的脱贫标准评估，并记录重算批次。"

    def add_arguments(self, parser):
        parser.add_argument("--area", required=True, help="区划代码，如 530427000000")
        parser.add_argument("--year", required=True, type=int, help="年度，如 2018")
        parser.add_argument("--python", action="store_true", help="不用集合 SQL，逐批在 Python 中计算（核对用）")

    def handle(self, *args, **options):
        area = Area.objects.filter(code=options["area"]).first()
        if area is None:
            raise CommandError(f"找不到区域 {options['area']}")
        try:
            run = eligibility_recompute(area=area, year=options["year"], trigger="command",
                                        use_sql=False if options["python"] else None)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"{area.name} {run.year} 年：评估 {run.evaluated} 户（达标 {run.passed_count}，未达标 {run.failed_count}，"
            f"无法判断 {run.unknown_count}），村、县 {run.areas_evaluated} 个，用时 {run.duration_seconds:.2f} 秒，"
            f"批次 #{run.pk}。"
        )
