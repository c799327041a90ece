from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = "督查整改与投诉"

    def ready(self):
        from accounts.models import register_action_labels
        from oversight.choices import ComplaintEvent, EscalationKind, ItemEvent

        labels = {f"rectification.{value}": label for value, label in ItemEvent.choices}
        labels |= {f"rectification.escalation_{value}": label for value, label in EscalationKind.choices}
        labels["rectification.inspection_create"] = "登记督查检查"
        labels |= {f"complaint.{value}": f"投诉信访{label}" for value, label in ComplaintEvent.choices}
        labels["complaint.contact_reveal"] = "查看投诉人联系方式"
        register_action_labels(labels)
