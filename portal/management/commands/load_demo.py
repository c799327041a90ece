from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import load_demo_users
from assessments.plans.demo import load_demo_exit_plans
from assessments.workflows.demo import load_demo_exits
from funds.demo import load_demo_funds
from households.demo import load_demo_households
from oversight.demo import load_demo_oversight
from villages.demo import load_demo_areas


class Command(BaseCommand):
    help = "载入演示数据：新平县区域树、每个角色一个演示账号、演示建档立卡户。重复执行不会改变已有数据。"

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("生产模式下不能载入演示数据。")
        areas = load_demo_areas()
        users = load_demo_users()
        households = load_demo_households()
        load_demo_funds()
        load_demo_oversight()
        call_command("load_exit_plans", "002_xinping.csv", stdout=self.stdout)
        load_demo_exit_plans()  # this year's plans (demo figures) next to the seed's 2018–2020 tables
        call_command("load_policy_parameters", "--recompute", stdout=self.stdout)
        exits = load_demo_exits()  # this year's data and household exits under way in 太和村, for each role's 待办
        self.stdout.write(f"演示数据就绪：区域新增 {areas.created}，演示账号新增 {users}，演示户新增 {households}，进行中的演示退出 {exits} 户。")
