from django.urls import path

from accounts import views, views_audit, views_security

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
    # sign-in security (accounts.views_security)
    path("2fa/verify/", views_security.SecondFactorVerifyView.as_view(), name="otp_verify"),
    path("2fa/enrol/", views_security.SecondFactorEnrolView.as_view(), name="otp_enrol"),
    path("2fa/recovery-codes/", views_security.RecoveryCodesView.as_view(), name="otp_recovery_codes"),
    path("tokens/", views_security.SecurityView.as_view(), name="security"),
    path("logout-all/", views_security.LogoutEverywhereView.as_view(), name="logout_all"),
    path("security/locked/", views_security.LockedAccountsView.as_view(), name="locked_accounts"),
]
