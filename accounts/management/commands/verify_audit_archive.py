from django.core.management.base import BaseCommand, CommandError

from accounts.audit_archive import audit_archive_verify
from povalleviation.errors import ApplicationError


class Command(BaseCommand):
    help = "重新计算审计日志归档文件的 SHA-256 哈希链，检查文件是否被改动。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="archive_audit 生成的归档文件")

    def handle(self, *args, file, **options):
        try:
            result = audit_archive_verify(file)
        except ApplicationError as error:
            raise CommandError(f"校验失败：{error.message}") from error
        registered = (
            f"与 {result.archive.created_at:%Y-%m-%d %H:%M} 登记的归档一致（SHA-256 相同）。"
            if result.archive else "数据库中没有登记 SHA-256 相同的归档（文件可能来自其他系统，或登记已丢失）。"
        )
        self.stdout.write(
            f"校验通过：{result.count} 条记录（编号 {result.first_id}–{result.last_id}），哈希链完整。\n"
            f"文件 SHA-256：{result.file_sha256}\n{registered}"
        )
