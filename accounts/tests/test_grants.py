"""三权分立: nobody grants himself a post; a grant of a role that sees personal data (or of an administrative
role) takes a second person's approval, a security administrator of the post's area."""
import pytest

from accounts import services
from accounts.choices import PostApproval
from accounts.models import AuditEvent, Post, User
from conftest import COUNTY, TOWNSHIP, VILLAGE_A
from povalleviation.access import Capability, has_capability
from povalleviation.errors import ApplicationError, NotFound, PermissionDenied
from povalleviation.roles import Role
from villages.models import Area

pytestmark = pytest.mark.django_db


def area(code):
    return Area.objects.get(code=code)


def fresh(user):
    return User.objects.get(pk=user.pk)


# ---------------------------------------------------------------- self-grant


def test_service_refuses_a_post_for_oneself(system_admin):
    with pytest.raises(PermissionDenied) as refused:
        services.post_assign(actor=system_admin, user=system_admin, area=area(COUNTY), role=Role.COUNTY_OFFICER)
    assert refused.value.message == "不能给自己分配任职，须由其他管理员办理。"
    assert not Post.objects.filter(user=system_admin, role=Role.COUNTY_OFFICER).exists()
    assert not AuditEvent.objects.filter(action__in=["post.assign", "post.request"], actor=system_admin).exists()
    assert not has_capability(fresh(system_admin), Capability.HOUSEHOLD_VIEW)


def test_admin_refuses_a_post_for_oneself(client_for, system_admin):
    response = client_for(system_admin).post("/admin/accounts/post/add/", {
        "user": system_admin.pk, "area": area(COUNTY).pk, "role": Role.COUNTY_OFFICER, "start_date": "",
    })
    assert response.status_code == 200
    assert "不能给自己分配任职，须由其他管理员办理。" in response.content.decode()
    assert not Post.objects.filter(user=system_admin, role=Role.COUNTY_OFFICER).exists()


def test_admin_cannot_post_an_account_of_another_area(client_for, system_admin, other_county_cadre):
    response = client_for(system_admin).post("/admin/accounts/post/add/", {
        "user": other_county_cadre.pk, "area": area(VILLAGE_A).pk, "role": Role.VILLAGE_CADRE, "start_date": "",
    })
    assert response.status_code == 200
    assert "该用户不存在，或不在您的管理范围内。" in response.content.decode()
    assert not Post.objects.filter(user=other_county_cadre, area__code=VILLAGE_A).exists()


# ---------------------------------------------------------------- two-person grant


def test_a_data_role_granted_by_the_administrator_waits_and_grants_nothing(client_for, system_admin, new_account):
    response = client_for(system_admin).post("/admin/accounts/post/add/", {
        "user": new_account.pk, "area": area(VILLAGE_A).pk, "role": Role.VILLAGE_CADRE, "start_date": "",
    }, follow=True)
    assert response.status_code == 200
    assert "须经安全管理员审批后才生效" in response.content.decode()
    post = Post.objects.get(user=new_account, area__code=VILLAGE_A)
    assert (post.approval_status, post.requested_by) == (PostApproval.PENDING, system_admin)
    grantee = fresh(new_account)
    assert not has_capability(grantee, Capability.HOUSEHOLD_VIEW)
    assert client_for(grantee).get("/households/").status_code == 403
    event = AuditEvent.objects.get(action="post.request")
    assert (event.actor, event.area_code, event.outcome) == (system_admin, VILLAGE_A, "success")


def test_requester_and_grantee_cannot_approve_but_a_second_security_admin_can(
    system_admin, security_admin, second_security_admin, new_account
):
    post = services.post_assign(actor=system_admin, user=new_account, area=area(TOWNSHIP), role=Role.TOWNSHIP_OFFICER)
    with pytest.raises(NotFound):  # the requester holds no approval right at all
        services.post_approve(actor=system_admin, post=post)
    # A security administrator who is himself the grantee cannot approve his own grant.
    own = services.post_assign(actor=system_admin, user=security_admin, area=area(TOWNSHIP), role=Role.TOWNSHIP_OFFICER)
    with pytest.raises(PermissionDenied) as refused:
        services.post_approve(actor=security_admin, post=own)
    assert refused.value.message == "不能审批授予自己的任职。"
    # Nor one who requested it (the check holds whoever the requester is).
    Post.objects.filter(pk=post.pk).update(requested_by=security_admin)
    with pytest.raises(PermissionDenied) as refused:
        services.post_approve(actor=security_admin, post=post)
    assert refused.value.message == "不能审批自己提出的授权申请，须由另一位安全管理员审批。"
    assert Post.objects.get(pk=post.pk).approval_status == PostApproval.PENDING
    assert not has_capability(fresh(new_account), Capability.HOUSEHOLD_VIEW)

    services.post_approve(actor=second_security_admin, post=post, note="经核实，调任老厂乡")
    post.refresh_from_db()
    assert (post.approval_status, post.decided_by, post.decision_note) == (
        PostApproval.APPROVED, second_security_admin, "经核实，调任老厂乡"
    )
    assert has_capability(fresh(new_account), Capability.HOUSEHOLD_VIEW)
    event = AuditEvent.objects.get(action="post.approve")
    assert (event.actor, event.area_code, event.changes["note"]) == (second_security_admin, TOWNSHIP, "经核实，调任老厂乡")
    assert event.role == Role.SECURITY_ADMIN


def test_security_admin_of_another_area_cannot_approve(system_admin, township_security_admin, new_account):
    post = services.post_assign(actor=system_admin, user=new_account, area=area(VILLAGE_A), role=Role.VILLAGE_CADRE)
    with pytest.raises(NotFound):
        services.post_approve(actor=township_security_admin, post=post)
    assert Post.objects.get(pk=post.pk).approval_status == PostApproval.PENDING


def test_rejection_needs_a_reason_and_grants_nothing(system_admin, security_admin, new_account):
    post = services.post_assign(actor=system_admin, user=new_account, area=area(VILLAGE_A), role=Role.VILLAGE_CADRE)
    with pytest.raises(ApplicationError) as refused:
        services.post_reject(actor=security_admin, post=post, note=" ")
    assert refused.value.message == "驳回须填写理由。"
    services.post_reject(actor=security_admin, post=post, note="未见任命文件")
    post.refresh_from_db()
    assert (post.approval_status, post.is_active, post.decided_by) == (PostApproval.REJECTED, False, security_admin)
    assert not has_capability(fresh(new_account), Capability.HOUSEHOLD_VIEW)
    assert AuditEvent.objects.get(action="post.reject").changes["note"] == "未见任命文件"
    with pytest.raises(ApplicationError):  # decided once
        services.post_approve(actor=security_admin, post=post)


def test_installation_grants_take_effect_at_once(village_cadre_a):
    post = Post.objects.get(user=village_cadre_a)
    assert (post.approval_status, post.requested_by) == (PostApproval.APPROVED, None)
    assert has_capability(village_cadre_a, Capability.HOUSEHOLD_VIEW)


def test_every_role_sees_personal_data_or_administers_so_every_grant_by_a_person_waits():
    # Every data role reads households; the three administrative roles are approved like data roles.
    assert all(services.grant_needs_approval(role) for role in Role.values)


def test_administrative_role_grant_needs_approval_and_then_gives_the_admin_site(
    client_for, system_admin, security_admin, new_account
):
    post = services.post_assign(actor=system_admin, user=new_account, area=area(COUNTY), role=Role.AUDIT_ADMIN)
    assert post.approval_status == PostApproval.PENDING
    assert not fresh(new_account).is_staff
    services.post_approve(actor=security_admin, post=post)
    grantee = fresh(new_account)
    assert grantee.is_staff and has_capability(grantee, Capability.AUDIT_VIEW)
    assert client_for(grantee).get("/admin/accounts/auditevent/").status_code == 200


def test_nobody_holds_two_administrative_roles(system_admin, security_admin, audit_admin):
    for actor in (None, system_admin):
        with pytest.raises(ApplicationError) as refused:
            services.post_assign(actor=actor, user=audit_admin, area=area(COUNTY), role=Role.SECURITY_ADMIN)
        assert refused.value.code == "separation_of_duties"
    with pytest.raises(ApplicationError):
        services.post_assign(actor=None, user=system_admin, area=area(COUNTY), role=Role.AUDIT_ADMIN)
    assert not Post.objects.filter(user=audit_admin, role=Role.SECURITY_ADMIN).exists()
    assert not Post.objects.filter(user=system_admin, role=Role.AUDIT_ADMIN).exists()


# ---------------------------------------------------------------- the 待审批授权 page


def test_grants_page_lists_pending_grants_and_approves(client_for, system_admin, security_admin, new_account):
    post = services.post_assign(actor=system_admin, user=new_account, area=area(VILLAGE_A), role=Role.VILLAGE_CADRE)
    client = client_for(security_admin)
    page = client.get("/accounts/grants/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "新来的信息员" in body and "村级信息员" in body and "太和村委会" in body
    response = client.post(f"/accounts/grants/{post.pk}/approve/", {"note": "同意"}, follow=True)
    assert "已批准" in response.content.decode()
    post.refresh_from_db()
    assert (post.approval_status, post.decided_by, post.decision_note) == (PostApproval.APPROVED, security_admin, "同意")


def test_grants_page_refuses_a_rejection_without_reason(client_for, system_admin, security_admin, new_account):
    post = services.post_assign(actor=system_admin, user=new_account, area=area(VILLAGE_A), role=Role.VILLAGE_CADRE)
    response = client_for(security_admin).post(f"/accounts/grants/{post.pk}/reject/", {"note": ""}, follow=True)
    assert "驳回须填写理由。" in response.content.decode()
    assert Post.objects.get(pk=post.pk).approval_status == PostApproval.PENDING


def test_grants_page_is_the_security_admins_only(client_for, system_admin, township_security_admin, new_account):
    post = services.post_assign(actor=system_admin, user=new_account, area=area(VILLAGE_A), role=Role.VILLAGE_CADRE)
    assert client_for(system_admin).get("/accounts/grants/").status_code == 403
    assert client_for(system_admin).post(f"/accounts/grants/{post.pk}/approve/").status_code == 403
    other = client_for(township_security_admin)
    assert "新来的信息员" not in other.get("/accounts/grants/").content.decode()
    assert other.post(f"/accounts/grants/{post.pk}/approve/").status_code == 404
    assert Post.objects.get(pk=post.pk).approval_status == PostApproval.PENDING
