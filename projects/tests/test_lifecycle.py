"""Project lifecycle by right and wrong role and area (DOMAIN.md §5.8)."""
import datetime
from decimal import Decimal

import pytest

from accounts.models import AuditEvent
from povalleviation.errors import ApplicationError, Conflict, PermissionDenied
from projects import services
from projects.choices import ObjectionStatus, ProjectEventType, ProjectStatus, PublicityKind
from projects.models import Project, ProjectEvent
from projects.tests.factories import make_project, publicize_plan

PAST = datetime.date(2024, 2, 21)


def test_full_lifecycle_writes_events_and_snapshots(approved_project, township_officer, county_officer,
                                                    village_cadre_a, household_a):
    project = approved_project
    assert project.status == ProjectStatus.APPROVED
    assert project.approved_budget == {"central_special": "300000.00", "county_integrated": "100000.00"}
    publicize_plan(project, actor=village_cadre_a)
    services.project_start(actor=township_officer, project=project, started_on=datetime.date(2024, 3, 5))
    services.project_complete(actor=township_officer, project=project, finished_on=datetime.date(2024, 10, 30),
                              actual_households=2, actual_persons=5, beneficiaries=[household_a])
    services.project_accept(actor=county_officer, project=project, passed=True)
    services.project_publicity_open(actor=township_officer, project=project, kind=PublicityKind.RESULT,
                                    published_on=datetime.date(2024, 11, 2), location="老厂乡政务公开栏")
    services.project_close(actor=county_officer, project=project)
    project.refresh_from_db()
    assert project.status == ProjectStatus.CLOSED
    types = list(ProjectEvent.objects.filter(project=project).values_list("type", flat=True))
    assert types == ["create", "submit", "admit", "approve", "publicity_open", "start", "complete", "accept",
                     "publicity_open", "close"]
    approve_event = ProjectEvent.objects.get(project=project, type=ProjectEventType.APPROVE)
    assert approve_event.snapshot["budget_total"] == "400000.00" and len(approve_event.snapshot_sha256) == 64
    assert AuditEvent.objects.filter(action="project.approve", object_id=str(project.pk)).count() == 1
    assert project.beneficiaries.filter(is_actual=True).get().household == household_a


def test_village_cadre_cannot_enter_a_project(village_cadre_a, village_a):
    with pytest.raises(PermissionDenied):
        make_project(actor=village_cadre_a, area=village_a)
    assert Project.objects.count() == 0


def test_other_township_cannot_submit_or_enter_here(draft_project, other_township_officer, village_a):
    with pytest.raises(PermissionDenied):
        services.project_submit(actor=other_township_officer, project=draft_project)
    with pytest.raises(PermissionDenied):
        make_project(actor=other_township_officer, area=village_a)
    draft_project.refresh_from_db()
    assert draft_project.status == ProjectStatus.DRAFT and Project.objects.count() == 1


def test_township_cannot_admit_or_approve(draft_project, township_officer):
    services.project_submit(actor=township_officer, project=draft_project)
    with pytest.raises(PermissionDenied):
        services.project_admit(actor=township_officer, project=draft_project)
    draft_project.refresh_from_db()
    assert draft_project.status == ProjectStatus.SUBMITTED


def test_no_skipping_and_no_self_approval(draft_project, township_officer, county_officer):
    services.project_submit(actor=township_officer, project=draft_project)
    with pytest.raises(Conflict):
        services.project_approve(actor=county_officer, project=draft_project)
    services.project_admit(actor=county_officer, project=draft_project)
    with pytest.raises(PermissionDenied):
        services.project_approve(actor=county_officer, project=draft_project)
    draft_project.refresh_from_db()
    assert draft_project.status == ProjectStatus.IN_LIBRARY and draft_project.approved_on is None


def test_household_outside_the_project_area_is_refused(township_officer, village_a, household_a, household_b):
    with pytest.raises(ApplicationError) as error:
        make_project(actor=township_officer, area=village_a, beneficiaries=[household_a, household_b])
    assert "不在项目实施地点" in error.value.message
    assert Project.objects.count() == 0


def test_household_inside_the_area_is_linked(township_officer, village_a, household_a):
    project = make_project(actor=township_officer, area=village_a, beneficiaries=[household_a])
    assert list(project.beneficiaries.values_list("household_id", flat=True)) == [household_a.pk]


def test_return_with_reason_then_resubmit(draft_project, township_officer, county_officer):
    services.project_submit(actor=township_officer, project=draft_project)
    with pytest.raises(ApplicationError):
        services.project_return(actor=county_officer, project=draft_project, reason=" ")
    services.project_return(actor=county_officer, project=draft_project, reason="带贫机制不清")
    services.project_update(actor=township_officer, project=draft_project, data={"benefit_note": "每户入股分红"})
    services.project_submit(actor=township_officer, project=draft_project)
    draft_project.refresh_from_db()
    assert draft_project.status == ProjectStatus.SUBMITTED and draft_project.benefit_note == "每户入股分红"
    assert ProjectEvent.objects.get(project=draft_project, type="return").reason == "带贫机制不清"


def test_editing_refused_after_submission(draft_project, township_officer):
    services.project_submit(actor=township_officer, project=draft_project)
    with pytest.raises(Conflict):
        services.project_update(actor=township_officer, project=draft_project, data={"name": "改名"})
    draft_project.refresh_from_db()
    assert draft_project.name == "太和村核桃产业项目"


def test_start_needs_a_finished_publicity_without_open_objection(approved_project, township_officer, village_cadre_a):
    with pytest.raises(ApplicationError):
        services.project_start(actor=township_officer, project=approved_project, started_on=PAST)
    publicity = publicize_plan(approved_project, actor=village_cadre_a)
    objection = services.project_objection_record(actor=village_cadre_a, publicity=publicity, channel="hotline_12317",
                                                  content="受益户名单有误", received_on=datetime.date(2024, 2, 23))
    with pytest.raises(ApplicationError):
        services.project_start(actor=township_officer, project=approved_project, started_on=PAST)
    with pytest.raises(ApplicationError):
        services.project_objection_record(actor=village_cadre_a, publicity=publicity, channel="media", content="迟到",
                                          received_on=datetime.date(2024, 3, 30))
    services.project_objection_resolve(actor=township_officer, objection=objection, upheld=False,
                                       resolution="经核实名单无误")
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED
    services.project_start(actor=township_officer, project=approved_project, started_on=datetime.date(2024, 3, 5))
    approved_project.refresh_from_db()
    assert approved_project.status == ProjectStatus.IN_PROGRESS


def test_acceptance_refusal_returns_to_implementation(approved_project, township_officer, county_officer,
                                                     village_cadre_a):
    publicize_plan(approved_project, actor=village_cadre_a)
    services.project_start(actor=township_officer, project=approved_project, started_on=datetime.date(2024, 3, 5))
    services.project_complete(actor=township_officer, project=approved_project, finished_on=datetime.date(2024, 9, 1),
                              actual_households=2, actual_persons=6)
    with pytest.raises(PermissionDenied):
        services.project_accept(actor=township_officer, project=approved_project, passed=True)
    services.project_accept(actor=county_officer, project=approved_project, passed=False, reason="路面厚度不足")
    approved_project.refresh_from_db()
    assert approved_project.status == ProjectStatus.IN_PROGRESS
    assert approved_project.budget_total == Decimal("400000.00")
