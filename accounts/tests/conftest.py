"""Personas of the account tests: the security and audit administrators (三权分立) beside the root personas."""
import pytest

from accounts.services import user_create
from conftest import COUNTY, OTHER_TOWNSHIP, PASSWORD, _persona
from povalleviation.roles import Role


@pytest.fixture
def security_admin(areas):
    return _persona("secadmin", Role.SECURITY_ADMIN, COUNTY)


@pytest.fixture
def second_security_admin(areas):
    return _persona("secadmin2", Role.SECURITY_ADMIN, COUNTY)


@pytest.fixture
def township_security_admin(areas):
    """A security administrator of 水塘镇 only: the grants of 老厂乡 are not his to approve."""
    return _persona("secadmin_shuitang", Role.SECURITY_ADMIN, OTHER_TOWNSHIP)


@pytest.fixture
def audit_admin(areas):
    return _persona("auditadmin", Role.AUDIT_ADMIN, COUNTY)


@pytest.fixture
def new_account(system_admin):
    """An account the county's system administrator created in the admin way (no post yet), whose owner has
    since replaced the administrator's password with his own."""
    from accounts.services import user_password_change

    user = user_create(actor=system_admin, username="newcomer", password=PASSWORD, full_name="新来的信息员")
    return user_password_change(user=user, password="Xinlai-own-2026")
