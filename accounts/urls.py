from django.urls import path

from accounts import views, views_audit

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("audit/", views_audit.AuditEventListView.as_view(), name="audit_list"),
    # own password, grant approval (accounts.views)
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("grants/", views.GrantListView.as_view(), name="grant_list"),
    path("grants/<int:pk>/approve/", views.GrantDecideView.as_view(), {"decision": "approve"}, name="grant_approve"),
    path("grants/<int:pk>/reject/", views.GrantDecideView.as_view(), {"decision": "reject"}, name="grant_reject"),
]
