"""Personas of the account tests: the security and audit administrators (三权分立) beside the root personas."""
import pytest

from accounts.services import post_assign, user_create
from conftest import COUNTY, OTHER_TOWNSHIP, PASSWORD
from povalleviation.roles import Role
from villages.models import Area


def make_persona(username, role, area_code, *, actor=None):
    user = user_create(actor=actor, username=username, password=PASSWORD, full_name=username)
    post_assign(actor=None, user=user, area=Area.objects.get(code=area_code), role=role)
    return user


@pytest.fixture
def security_admin(areas):
    return make_persona("secadmin", Role.SECURITY_ADMIN, COUNTY)


@pytest.fixture
def second_security_admin(areas):
    return make_persona("secadmin2", Role.SECURITY_ADMIN, COUNTY)


@pytest.fixture
def township_security_admin(areas):
    """A security administrator of 水塘镇 only: the grants of 老厂乡 are not his to approve."""
    return make_persona("secadmin_shuitang", Role.SECURITY_ADMIN, OTHER_TOWNSHIP)


@pytest.fixture
def audit_admin(areas):
    return make_persona("auditadmin", Role.AUDIT_ADMIN, COUNTY)


@pytest.fixture
def new_account(system_admin):
    """An account the county's system administrator created in the admin way (no post yet), whose owner has
    since replaced the administrator's password with his own."""
    from accounts.services import user_password_change

    user = user_create(actor=system_admin, username="newcomer", password=PASSWORD, full_name="新来的信息员")
    return user_password_change(user=user, password="Xinlai-own-2026")
