from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    name = "households"
    verbose_name = "建档立卡"

    def ready(self):
        from accounts.models import register_action_labels
        from households.models import HouseholdEvent
        from households.services.reads import READ_ACTION_LABELS

        register_action_labels({f"household.{value}": label for value, label in HouseholdEvent.Type.choices})
        register_action_labels(READ_ACTION_LABELS)
