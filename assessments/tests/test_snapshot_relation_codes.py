"""The upgrade to GB/T 4761 relation codes (households 0006, assessments 0005) on a running household exit:
the nomination's snapshot is converted with the members, so the next step still sees unchanged facts; each
stored digest still proves its snapshot, and the audit log records the old and new digests."""
import importlib

import pytest
from django.apps import apps

from accounts.models import AuditEvent
from assessments.tests.workflow_fixtures import approve, fresh, nominate, to_step
from assessments.workflows.services.common import sha256_of
from households.models import Member
from povalleviation.errors import ApplicationError

pytestmark = pytest.mark.django_db

MEMBERS = importlib.import_module("households.migrations.0006_relation_codes_national_lists")
SNAPSHOTS = importlib.import_module("assessments.migrations.0005_snapshot_relation_codes")


def back_to_old_values():
    """The database as the coarse list left it (the reverse of both migrations)."""
    SNAPSHOTS.backwards(apps, None)
    MEMBERS.backwards(apps, None)


def relations(snapshot) -> list[str]:
    return [member["relation"] for member in snapshot["facts"]["members"]]


def test_a_nomination_made_before_the_upgrade_still_matches_after_it(people, exit_at):
    verification = exit_at("township_check")
    back_to_old_values()
    start = verification.events.get(action="start")
    assert relations(start.snapshot) == ["head", "spouse"] and start.snapshot_sha256 == sha256_of(start.snapshot)
    assert sorted(Member.objects.values_list("relation", flat=True)) == ["head", "spouse"]
    old_digest = start.snapshot_sha256

    # Members alone converted: the nomination's facts would no longer match the record.
    MEMBERS.forwards(apps, None)
    with pytest.raises(ApplicationError) as refused:
        approve(people["township"], verification, "township_check")
    assert refused.value.code == "facts_changed"

    SNAPSHOTS.forwards(apps, None)
    start.refresh_from_db()
    assert relations(start.snapshot) == ["02", "10"]
    assert start.snapshot["facts_sha256"] == sha256_of(start.snapshot["facts"])
    assert start.snapshot_sha256 == sha256_of(start.snapshot) != old_digest
    for event in verification.events.exclude(snapshot={}):
        assert event.snapshot_sha256 == sha256_of(event.snapshot)
    audit = AuditEvent.objects.filter(action="verification.snapshot_converted", object_id=str(verification.pk)).latest("id")
    assert {"snapshot": f"event:{start.pk}", "sha256_before": old_digest,
            "sha256_after": start.snapshot_sha256} in audit.changes["snapshots"]
    assert audit.area_code == verification.area_code

    approve(people["township"], verification, "township_check")
    assert fresh(verification).current_step == "county_approve"


def test_a_completed_decision_snapshot_is_converted_with_its_digest(ready_household, people):
    verification = to_step(nominate(people["cadre"], ready_household), "announce", cadre=people["cadre"],
                           secretary=people["secretary"], township=people["township"], county=people["county"])
    approve(people["office"], verification, "announce")
    back_to_old_values()
    verification = fresh(verification)
    assert relations(verification.decision_snapshot) == ["head", "spouse"]
    assert verification.decision_sha256 == sha256_of(verification.decision_snapshot)

    MEMBERS.forwards(apps, None)
    SNAPSHOTS.forwards(apps, None)
    verification = fresh(verification)
    assert relations(verification.decision_snapshot) == ["02", "10"]
    assert verification.decision_sha256 == sha256_of(verification.decision_snapshot)
    assert verification.decision_snapshot["facts_sha256"] == sha256_of(verification.decision_snapshot["facts"])
    # Converting again changes nothing and records nothing more.
    converted = AuditEvent.objects.filter(action="verification.snapshot_converted").count()
    SNAPSHOTS.forwards(apps, None)
    assert fresh(verification).decision_snapshot == verification.decision_snapshot
    assert AuditEvent.objects.filter(action="verification.snapshot_converted").count() == converted
