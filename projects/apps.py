from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "项目库"

    def ready(self):
        from accounts.models import register_action_labels

        from .choices import ProjectEventType

        register_action_labels({f"project.{value}": label for value, label in ProjectEventType.choices})
