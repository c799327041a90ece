import datetime
import getpass

from django.core.management.base import BaseCommand, CommandError

from accounts.audit_archive import RETENTION_DAYS, audit_archive_create
from povalleviation.errors import ApplicationError


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"日期 {value!r} 格式不正确，应为 YYYY-MM-DD。") from error


class Command(BaseCommand):
    help = (f"把早于 --before 日期的审计日志写入带 SHA-256 哈希链的归档文件，登记归档后从数据库移除；"
            f"只接受保存满 {RETENTION_DAYS} 天的记录。须以数据库表所有者身份运行。")

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="截止日期（不含），YYYY-MM-DD，不得晚于今天减 184 天")
        parser.add_argument("--output", required=True, help="归档文件路径（不得已存在）")

    def handle(self, *args, before, output, **options):
        try:
            result = audit_archive_create(before=_date(before), output=output, created_by=getpass.getuser())
        except ApplicationError as error:
            raise CommandError(error.message) from error
        if result.archive is None:
            self.stdout.write(f"没有早于 {before} 的审计日志，未生成归档文件。")
            return
        archive = result.archive
        self.stdout.write(
            f"已归档 {archive.event_count} 条审计日志（编号 {archive.first_id}–{archive.last_id}）到 {archive.file_name}\n"
            f"文件 SHA-256：{archive.file_sha256}\n哈希链末值：{archive.head_hash}"
        )
