from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "季度进展报告"

    def ready(self):
        from accounts.models import register_action_labels

        from .services import ACTION_LABELS

        register_action_labels(ACTION_LABELS)
