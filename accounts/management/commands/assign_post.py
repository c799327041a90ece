"""Grant a post from the server (the installation's own grant: takes effect at once, audited without actor).

This is how an installation gets its first system, security and audit administrators; after that, grants are
made in the admin and approved by a security administrator.
"""
from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.models import User
from povalleviation.errors import ApplicationError
from povalleviation.roles import Role
from villages.models import Area


class Command(BaseCommand):
    help = ("在服务器上直接任命任职（立即生效并记入审计日志），用于设立首批系统管理员、安全管理员和审计管理员。"
            "--create 会新建账号并生成临时密码（首次登录须修改）。")

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名")
        parser.add_argument("area_code", help="任职区域的统计用区划代码")
        parser.add_argument("role", choices=Role.values, help="角色")
        parser.add_argument("--create", action="store_true", help="账号不存在时新建，并显示一次临时密码")
        parser.add_argument("--full-name", default="", help="新建账号的姓名")

    def handle(self, *args, username, area_code, role, create, full_name, **options):
        area = Area.objects.filter(code=area_code).first()
        if area is None:
            raise CommandError(f"区划代码 {area_code} 不存在。")
        user = User.objects.filter(username=username).first()
        temporary = None
        try:
            if user is None:
                if not create:
                    raise CommandError(f"用户 {username} 不存在（新建请加 --create）。")
                user = services.user_create(actor=None, username=username, password=services.temporary_password(),
                                            full_name=full_name)
                temporary = services.user_password_reset(actor=None, user=user)
            post = services.post_assign(actor=None, user=user, area=area, role=role)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"已任命 {user.username} 为 {area.name} {post.get_role_display()}。")
        if temporary:
            self.stdout.write(f"临时密码（只显示这一次，首次登录须修改）：{temporary}")
