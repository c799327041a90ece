"""The first administrators are posted from the server: at once, audited, with a temporary password."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.choices import PostApproval
from accounts.models import AuditEvent, Post, User
from conftest import COUNTY
from povalleviation.roles import Role

pytestmark = pytest.mark.django_db


def test_assign_post_creates_the_first_security_admin(areas):
    out = StringIO()
    call_command("assign_post", "anquan", COUNTY, Role.SECURITY_ADMIN, "--create", "--full-name", "安全员", stdout=out)
    user = User.objects.get(username="anquan")
    post = Post.objects.get(user=user)
    assert (post.role, post.approval_status, post.requested_by) == (Role.SECURITY_ADMIN, PostApproval.APPROVED, None)
    assert user.is_staff and user.must_change_password
    temporary = out.getvalue().split("：")[-1].strip()
    assert user.check_password(temporary)
    event = AuditEvent.objects.get(action="post.assign", object_id=str(post.pk))
    assert (event.actor, event.area_code) == (None, COUNTY)


def test_assign_post_refuses_a_second_administrative_role(system_admin):
    with pytest.raises(CommandError, match="须由不同的人担任"):
        call_command("assign_post", "sysadmin", COUNTY, Role.AUDIT_ADMIN, stdout=StringIO())
    assert not Post.objects.filter(user=system_admin, role=Role.AUDIT_ADMIN).exists()
