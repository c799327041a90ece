import datetime

from django.core.management.base import BaseCommand, CommandError

from funds.recompute import spend_ratios_recompute
from villages.models import Area


class Command(BaseCommand):
    help = "重算支出进度（按区域、年度，集合式 SQL）：manage.py recompute_fund_ratios --area 530427000000 --year 2024"

    def add_arguments(self, parser):
        parser.add_argument("--area", required=True, help="区划代码（县级或以上）")
        parser.add_argument("--year", required=True, type=int, help="资金年度")
        parser.add_argument("--as-of", dest="as_of", help="截至日期 YYYY-MM-DD，默认今天")

    def handle(self, *args, area, year, as_of=None, **options):
        scope = Area.objects.filter(code=area).first()
        if scope is None:
            raise CommandError(f"找不到区划代码 {area}")
        as_of_date = datetime.date.fromisoformat(as_of) if as_of else None
        run = spend_ratios_recompute(area=scope, year=year, as_of=as_of_date, trigger="command")
        self.stdout.write(f"已重算 {scope.name} {year} 年支出进度（截至 {run.as_of}）：{run.row_count} 行，"
                          f"报账 {run.disbursement_count} 笔。")
