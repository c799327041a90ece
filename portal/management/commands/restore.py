from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError
from portal.backup.keys import read_identities
from portal.backup.restore import restore_backup


class Command(BaseCommand):
    help = ("恢复备份：用 age 私钥解密，逐项核对清单中的 SHA-256，再恢复到空数据库（pg_restore）和空的媒体文件目录。"
            "目标不为空时拒绝，除非加 --force。")

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份文件（.tar.age）")
        parser.add_argument("--identity", help="age 私钥文件（备份加密公钥对应的私钥，不存放在服务器上）")
        parser.add_argument("--database-url", help="恢复到该数据库（默认为当前配置的数据库）")
        parser.add_argument("--media-root", help="恢复媒体文件到该目录（默认 MEDIA_ROOT）")
        parser.add_argument("--force", action="store_true", help="目标数据库或媒体目录不为空时仍然覆盖")

    def handle(self, *args, archive, identity=None, database_url=None, media_root=None, force=False, **options):
        try:
            identities = read_identities(identity) if identity else []
            result = restore_backup(archive, identities=identities, database_url=database_url,
                                    media_root=media_root, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        self.stdout.write(self.style.SUCCESS(
            f"恢复完成：数据库 {result.database}（{len(manifest['row_counts'])} 张表，行数与清单一致），"
            f"媒体文件 {result.media_files} 个到 {result.media_root}，备份时间 {manifest['created_at']}，"
            f"用时 {result.seconds:.1f} 秒。"))
        self.stdout.write("恢复时未带数据库权限：若应用以 povalleviation_app 连接，请以表所有者执行 "
                          "python manage.py grant_app_role povalleviation_app。")
