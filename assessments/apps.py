from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "退出验收与考核"

    def ready(self):
        from accounts.models import register_action_labels
        from assessments.workflows.models import VerificationEvent

        register_action_labels(
            {
                **{f"verification.{value}": f"审核流程：{label}" for value, label in VerificationEvent.Action.choices},
                "approval_chain.set": "设置审核步骤",
                "approval_chain.reset": "停用审核步骤配置",
                "announcement.publish": "发布公告",
            }
        )
