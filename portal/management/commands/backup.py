from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError
from portal.backup.run import backup_and_rotate


class Command(BaseCommand):
    help = ("备份：把数据库（pg_dump 自定义格式）、媒体文件（签署版报告等）和清单打成一个归档，用 age 公钥"
            "（BACKUP_AGE_RECIPIENTS）加密后写入 BACKUP_DIR，并按保留策略清理旧备份。")

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", help="输出目录（默认 BACKUP_DIR）")
        parser.add_argument("--unencrypted", action="store_true",
                            help="仅限开发环境：不加密（备份含个人信息，生产环境切勿使用）")

    def handle(self, *args, output_dir=None, unencrypted=False, **options):
        if unencrypted:
            self.stderr.write(self.style.WARNING("警告：本次备份未加密，其中含有个人信息，只能用于开发环境，"
                                                 "不要保存或传输到服务器之外。"))
        try:
            result, deleted = backup_and_rotate(unencrypted=unencrypted,
                                                output_dir=Path(output_dir) if output_dir else None)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        media = sum(1 for name in manifest["parts"] if name.startswith("media/"))
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(self.style.SUCCESS(
            f"备份完成：{result.path}（{result.path.stat().st_size} 字节，{len(manifest['row_counts'])} 张表 "
            f"{rows} 行，媒体文件 {media} 个，用时 {result.seconds:.1f} 秒）。"))
        for path in deleted:
            self.stdout.write(f"按保留策略删除旧备份：{path.name}")
