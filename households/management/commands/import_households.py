"""manage.py import_households FILE --user USERNAME [--dry-run]: the web import's checks, from the shell."""
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from households.imports.pipeline import import_workbook
from households.imports.plan import column_note_text
from households.imports.workbook_guard import file_too_large_message
from povalleviation.access import Capability, has_capability
from povalleviation.errors import ApplicationError


class Command(BaseCommand):
    help = ("从 Excel 导入建档立卡户（导入模板的“户信息”“成员信息”两个工作表）。与网页导入相同的校验；"
            "有任何错误则列出全部错误、一行也不导入，并以非零状态退出。")

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 文件")
        parser.add_argument("--user", required=True, help="以此用户的身份和导入范围导入（须有“导入建档立卡户”权限）")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")

    def handle(self, *args, file, user, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件 {file}")
        if path.stat().st_size > settings.IMPORT_MAX_FILE_BYTES:  # the upload's limit, before reading anything
            raise CommandError(f"导入失败，未导入任何数据：{file_too_large_message()}")
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"用户 {user} 不存在或已停用")
        if not has_capability(actor, Capability.HOUSEHOLD_IMPORT):
            raise CommandError(f"用户 {user} 没有导入建档立卡户的权限")
        try:
            outcome = import_workbook(source=path.read_bytes(), actor=actor, dry_run=dry_run)
        except ApplicationError as error:
            raise CommandError(f"导入失败，未导入任何数据：{error.message}") from error
        result = outcome.result
        for note in result.column_notes:  # headers not imported, or read under another name
            self.stdout.write(f"提示：{column_note_text(note)}")
        if not result.is_valid:
            for error in result.errors.sorted():
                self.stderr.write(error.line())
            raise CommandError(f"共 {len(result.errors)} 处错误，未导入任何数据。")
        if dry_run:
            self.stdout.write(f"校验通过（未写入）：户信息 {result.household_rows} 行（{result.preview_text()}），"
                              f"成员信息 {result.member_rows} 行。")
            history = result.preview_summary()["history_text"]
            if history:
                self.stdout.write(f"将写入：{history}。")
            return
        summary = outcome.summary
        self.stdout.write(self.style.SUCCESS(
            f"导入完成：新建 {summary['households_created']} 户，更新 {summary['households_updated']} 户，"
            f"无变化 {summary['households_unchanged']} 户；新增成员 {summary['members_created']} 人，"
            f"修改成员 {summary['members_updated']} 人。" + (f"{summary['history_text']}。" if summary["history_text"] else "")
        ))
