"""What must be true before a project is 完结, as contributed by the apps built on the 项目库.

The fund ledger (``funds``) sits above projects and knows about vouchers; projects does not import it.
Instead each app registers a check here in its ``AppConfig.ready()``; ``project_close`` runs them all in its
transaction. A check takes the (locked) project and returns the reason it may not close, or "".
"""
from collections.abc import Callable

CloseCheck = Callable[[object], str]
_CHECKS: list[CloseCheck] = []


def register_close_check(check: CloseCheck) -> CloseCheck:
    if check not in _CHECKS:
        _CHECKS.append(check)
    return check


def close_refusals(project) -> list[str]:
    """The reasons the registered checks give for not closing ``project`` (empty: it may close)."""
    return [reason for reason in (check(project) for check in _CHECKS) if reason]
