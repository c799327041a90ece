from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "用户与任职"

    def ready(self):
        from axes.signals import user_locked_out
        from django.contrib.auth import signals as auth_signals

        from accounts import history, services, signals, signals_security
        from povalleviation import audit

        audit.install(audit_record=services.audit_record, record_changes=history.record_changes)

        signals_security.hide_secret_admin_pages()
        # The audit trail of sign-ins, sign-outs, failed sign-ins and lockouts (decoupled listeners).
        auth_signals.user_logged_in.connect(signals.on_logged_in, dispatch_uid="accounts.audit.login")
        auth_signals.user_logged_out.connect(signals.on_logged_out, dispatch_uid="accounts.audit.logout")
        auth_signals.user_login_failed.connect(signals.on_login_failed, dispatch_uid="accounts.audit.login_failed")
        user_locked_out.connect(signals.on_locked_out, dispatch_uid="accounts.audit.lockout")
