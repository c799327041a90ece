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
        _take_part_in_household_work()


def _take_part_in_household_work():
    """What assessments does when households change, and what it freezes (``households.extensions``)."""
    from assessments.eligibility.selectors import eligibility_card_section
    from assessments.eligibility.services import queue_county_recomputes, queue_household_evaluation
    from assessments.workflows.selectors.verifications import households_in_open_return
    from households import extensions

    extensions.register("facts_changed", queue_household_evaluation)
    extensions.register("households_imported", queue_county_recomputes)
    extensions.register("open_procedures", households_in_open_return)
    extensions.register("card_sections", eligibility_card_section)

