"""manage.py export_households --area CODE [--user USERNAME] --purpose TEXT --output FILE: the scoped, masked,
marked export."""
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from households.imports.columns import SHEETS
from households.imports.export import household_export
from povalleviation.errors import ApplicationError


class Command(BaseCommand):
    help = ("导出建档立卡户（与导入模板相同的两个工作表，身份证号脱敏）。输出 .xlsx；输出文件名以 .csv 结尾时"
            "每个工作表写一个 CSV 文件（文件名后加“-户信息”“-成员信息”）。")

    def add_arguments(self, parser):
        parser.add_argument("--area", help="区划代码（导出该区域及其下级），不填则导出全部可见区域")
        parser.add_argument("--user", help="以此用户的导出范围导出；不填则为系统身份（全部区域）")
        parser.add_argument("--output", required=True, help="输出文件（.xlsx 或 .csv）")
        parser.add_argument("--purpose", required=True, help="用途（写入文件的水印和审计日志）")
        parser.add_argument("--full-id-numbers", action="store_true",
                            help="导出完整身份证号（须指定 --area；指定 --user 时该用户须有查看完整身份证号的权限）")

    def handle(self, *args, area, user, output, full_id_numbers, purpose, **options):
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"用户 {user} 不存在或已停用")
        if full_id_numbers and not area:
            raise CommandError("导出完整身份证号时须指定 --area")
        path = Path(output)
        is_csv = path.suffix.lower() == ".csv"
        written = []
        try:
            for sheet in SHEETS if is_csv else SHEETS[:1]:
                export = household_export(actor=actor, area_code=area, file_format="csv" if is_csv else "xlsx",
                                          sheet=sheet, mask_id_numbers=not full_id_numbers, purpose=purpose)
                target = path.with_name(f"{path.stem}-{sheet}{path.suffix}") if is_csv else path
                target.write_bytes(export.content)
                written.append(str(target))
        except ApplicationError as error:
            raise CommandError(error.message) from error
        except OSError as error:
            raise CommandError(f"无法写入 {output}：{error}") from error
        self.stdout.write(f"已导出 {export.households} 户、{export.members} 人：{'、'.join(written)}")
