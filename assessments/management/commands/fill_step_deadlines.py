from django.core.management.base import BaseCommand
from django.db import transaction

from assessments.workflows.services.deadlines import fill_missing_due_dates


class Command(BaseCommand):
    help = "为尚无办理期限的在办审核流程补记期限（公示中的按公示结束日，其余按当前步骤开始日加该级办理时限参数）。可重复运行。"

    def handle(self, *args, **options):
        with transaction.atomic():
            filled = fill_missing_due_dates()
        self.stdout.write(f"已为 {filled} 个在办流程补记办理期限。")
