"""Give the application's database role what it needs, and no more (run by the table owner after migrate).

The owner of a table can disable its triggers; the application therefore connects as a separate login role
that owns nothing. That role may read and write every table, but on the audit trail only SELECT and INSERT
(no UPDATE, DELETE, TRUNCATE, TRIGGER) and on the archive register only SELECT; archiving runs as the owner.
"""
import os
import re

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg2 import sql

APPEND_ONLY_TABLES = {"accounts_auditevent": ("SELECT", "INSERT"), "accounts_auditarchive": ("SELECT",)}
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class Command(BaseCommand):
    help = ("由数据库表所有者在 migrate 之后运行：授予应用数据库角色所需权限（审计日志表只能读取和追加）。"
            "应用角色不得拥有任何表，也不得是超级用户。")

    def add_arguments(self, parser):
        parser.add_argument("role", help="应用连接数据库所用的登录角色")
        parser.add_argument(
            "--create", action="store_true",
            help="角色不存在时创建它（LOGIN，密码取自环境变量 APP_DATABASE_PASSWORD）",
        )

    def handle(self, *args, role, create, **options):
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role 只适用于 PostgreSQL（内置 SQLite 演示库没有数据库角色）。")
        if not ROLE_NAME.match(role):
            raise CommandError(f"角色名 {role!r} 不合规：只能用小写字母、数字和下划线，且不以数字开头。")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_schema(), current_database()")
            owner, schema, database = cursor.fetchone()
            if role == owner:
                raise CommandError("应用角色不能是当前（表所有者）角色本身。")
            cursor.execute("SELECT rolsuper, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
            found = cursor.fetchone()
            if found is None:
                if not create:
                    raise CommandError(f"数据库角色 {role} 不存在；加 --create 并设置 APP_DATABASE_PASSWORD 以创建。")
                password = os.environ.get("APP_DATABASE_PASSWORD", "")
                if len(password) < 12:
                    raise CommandError("创建角色需要环境变量 APP_DATABASE_PASSWORD（至少 12 个字符）。")
                cursor.execute(
                    sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD %s")
                    .format(sql.Identifier(role)), [password],
                )
                self.stdout.write(f"已创建数据库角色 {role}。")
            elif any(found):
                raise CommandError(f"角色 {role} 是超级用户或可创建角色、绕过行级安全，不能作为应用角色。")
            cursor.execute("SELECT pg_has_role(%s, %s, 'USAGE')", [role, owner])
            if cursor.fetchone()[0]:
                raise CommandError(f"角色 {role} 是表所有者 {owner} 的成员，可以代行所有者权限，不能作为应用角色。")
            cursor.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND pg_get_userbyid(c.relowner) = %s",
                [schema, role],
            )
            if cursor.fetchone()[0]:
                raise CommandError(f"角色 {role} 拥有本库的表，所有者可以停用触发器：请先把这些表的所有权移交给 {owner}。")
            target, schema_id = sql.Identifier(role), sql.Identifier(schema)
            statements = [
                sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), target),
                sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema_id, target),
                sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(schema_id, target),
                sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(schema_id, target),
                sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {} FROM {}").format(schema_id, target),
                sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema_id, target),
            ]
            for table, privileges in APPEND_ONLY_TABLES.items():
                name = sql.Identifier(schema, table)
                statements.append(sql.SQL("REVOKE ALL ON {} FROM {}").format(name, target))
                statements.append(
                    sql.SQL("GRANT {} ON {} TO {}").format(sql.SQL(", ").join(map(sql.SQL, privileges)), name, target)
                )
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(
            f"已授予 {role}：本库各表的查询、新增、修改、删除（不含清空），序列的使用；"
            f"审计日志表只能查询和新增，归档登记表只能查询。每次 migrate 之后请重新运行本命令。"
        )
