"""manage.py generate_household_file: a deterministic import workbook of made-up households (benchmark, demos)."""
from django.core.management.base import BaseCommand, CommandError

from households.imports.generator import DEMO_COUNTY, Village, demo_villages, write_household_file


class Command(BaseCommand):
    help = ("生成确定性的建档立卡户导入文件（虚构数据，身份证号有效且互不重复），默认分布在示范县 530427 的各行政村。"
            "同样的参数总是生成同样的文件。")

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=20000, help="户数（默认 20000）")
        parser.add_argument("--members-per-household", type=float, default=3.5, help="平均每户人数（默认 3.5）")
        parser.add_argument("--output", required=True, help="输出 .xlsx 文件")
        parser.add_argument("--village-codes", nargs="+", default=None,
                            help=f"行政村代码（12 位），默认为 fixtures/xinping_areas.csv 中县 {DEMO_COUNTY} 的全部行政村")

    def handle(self, *args, households, members_per_household, output, village_codes, **options):
        if households < 1:
            raise CommandError("--households 至少为 1")
        if members_per_household < 1:
            raise CommandError("--members-per-household 至少为 1")
        if village_codes:
            bad = [code for code in village_codes if not (len(code) == 12 and code.isdigit())]
            if bad:
                raise CommandError(f"不是 12 位行政村代码：{'、'.join(bad)}")
            names = {village.code: village.name for village in demo_villages(county_prefix="")}
            villages = [Village(code, names.get(code, f"村{code[-3:]}")) for code in village_codes]
        else:
            villages = demo_villages()
        try:
            written = write_household_file(output, households=households, members_per_household=members_per_household,
                                           villages=villages)
        except OSError as error:
            raise CommandError(f"无法写入 {output}：{error}") from error
        self.stdout.write(f"已生成 {output}：{written[0]} 户，{written[1]} 名成员，分布在 {len(villages)} 个村")
