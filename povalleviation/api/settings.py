"""Django REST framework and drf-spectacular settings, imported by ``povalleviation.settings`` (plain data: this
module imports nothing, so the settings can read it before Django is set up)."""

REST_FRAMEWORK = {
    # Token first: DRF answers an anonymous request with the first class's WWW-Authenticate header, so
    # API clients get 401 (not 403) when they send no credentials. Browser sessions still work.
    # Tokens are django-rest-knox's: hashed, with an expiry, revocable by their owner (accounts.views_security).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "povalleviation.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "povalleviation.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "povalleviation API",
    "DESCRIPTION": "精准扶贫 建档立卡 业务系统接口。所有数据按用户任职区域与角色过滤。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI served from the installation itself: no CDN is reachable from a county's network.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "HouseholdStatusEnum": "households.choices.HouseholdStatus",
        "MemberStatusEnum": "households.choices.MemberStatus",
        "PovertyCauseEnum": "households.choices.PovertyCause",
        "ImportJobStatusEnum": "households.models.imports.ImportJob.Status",
        "ProjectCategoryEnum": "projects.choices.ProjectCategory",
        "HouseholdCategoryEnum": "households.choices.HouseholdCategory",
        "ReportStatusEnum": "reports.models.ReportStatus",
    },
}
