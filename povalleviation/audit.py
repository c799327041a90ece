"""The audit trail and field history as the kernel and the apps below accounts see them.

Recording an audit event needs the user's roles and area, and the rows live in tables of the accounts app
(``AuditEvent``, ``ValueChange``). The kernel owns the interface; accounts installs the implementation in its
``AppConfig.ready()`` (``accounts.services.audit_record``, ``accounts.history.record_changes``). So
``villages`` (below accounts) and kernel modules (admin actions, refused requests) record without importing
accounts; apps above accounts may call either, it is the same function.
"""
_implementation: dict = {}


def install(*, audit_record, record_changes):
    """Called once by ``accounts.apps.AccountsConfig.ready``."""
    _implementation.update(audit_record=audit_record, record_changes=record_changes)


def audit_record(**kwargs):
    """Record one audit event (``accounts.services.audit_record``: actor, action, target, area, summary, …)."""
    return _implementation["audit_record"](**kwargs)


def record_changes(target, pk, old_values: dict, actor=None, **kwargs) -> int:
    """Record the old values of tracked fields (``accounts.history.record_changes``)."""
    return _implementation["record_changes"](target, pk, old_values, actor, **kwargs)
