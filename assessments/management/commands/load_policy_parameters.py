from django.core.management.base import BaseCommand

from assessments.eligibility.services import eligibility_recompute
from assessments.policy.services import FIXTURE_PATH, policy_parameters_load
from households.models import IncomeRecord, LivingConditions
from villages.choices import AreaLevel
from villages.models import Area


class Command(BaseCommand):
    help = "载入政策参数初始数据（fixtures/policy_parameters.json）。重复执行不会改变已有参数。"

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(FIXTURE_PATH), help="参数文件（JSON）")
        parser.add_argument("--recompute", action="store_true",
                            help="有新参数载入时，按县重算有收入或两不愁三保障数据的各年度评估")

    def handle(self, *args, **options):
        result = policy_parameters_load(path=options["file"])
        for note in result.skipped:
            self.stdout.write(f"跳过：{note}")
        for note in result.notes:
            self.stdout.write(f"说明：{note}")
        self.stdout.write(
            f"政策参数：新增 {result.created}，已存在 {result.unchanged}，已存在且本地修改过 {result.kept_local}，"
            f"跳过 {len(result.skipped)}。"
        )
        if options["recompute"] and result.created:
            self._recompute()

    def _recompute(self):
        for county in Area.objects.filter(level=AreaLevel.COUNTY).order_by("code"):
            prefix = county.scope_prefix
            years = set(
                IncomeRecord.objects.filter(household__area_code__startswith=prefix).values_list("year", flat=True).distinct()
            ) | set(
                LivingConditions.objects.filter(household__area_code__startswith=prefix)
                .values_list("year", flat=True).distinct()
            )
            for year in sorted(years):
                run = eligibility_recompute(area=county, year=year, trigger="command")
                self.stdout.write(f"已重算 {county.name} {year} 年：{run.evaluated} 户，达标 {run.passed_count}。")
