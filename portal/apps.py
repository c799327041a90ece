from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The composition root: the site's URLs, home page, navigation and the demo loader. It is the one place
    allowed to import every app; no app imports it (the import-linter contract in pyproject.toml)."""

    name = "portal"
    verbose_name = "门户"
