"""Workflow snapshots take the GB/T 4761 relation codes of households 0006.

A snapshot (``VerificationEvent.snapshot``, ``Verification.decision_snapshot``) lists the household's members
with their relation. A running approval compares the facts of its nomination with the record's current facts
by their SHA-256 (``facts_sha256``), so a nomination still holding "head" would look changed once the member
says "02". Every member relation in a snapshot is rewritten to the code of its group and the digests over the
rewritten parts are recomputed (``facts_sha256``, the event's ``snapshot_sha256``, the verification's
``decision_sha256``), so the stored digest still proves the stored snapshot. The audit log is append-only and
keeps the digests of the day; for every verification whose snapshots changed, one audit event records the
conversion with each digest before and after, so an old digest can still be traced.
"""
import hashlib
import json

from django.db import migrations

OLD_TO_CODE = {
    "head": "02", "spouse": "10", "son": "20", "daughter": "30", "daughter_in_law": "38", "son_in_law": "28",
    "grandchild": "40", "parent": "50", "grandparent": "60", "sibling": "70", "other": "80",
}
_SPANS = {
    "spouse": ("10", "11", "12"), "son": ("20", "21", "22", "23", "24", "25", "26", "27", "29"),
    "son_in_law": ("28",), "daughter": ("30", "31", "32", "33", "34", "35", "36", "37", "39"),
    "daughter_in_law": ("38",), "grandchild": tuple(str(code) for code in range(40, 50)),
    "parent": tuple(str(code) for code in range(50, 60)), "grandparent": tuple(str(code) for code in range(60, 70)),
    "sibling": tuple(str(code) for code in range(70, 80)),
    "other": (*(str(code) for code in range(80, 98)), "99"), "head": ("01", "02"),
}
CODE_TO_OLD = {code: old for old, codes in _SPANS.items() for code in codes}
AUDIT_ACTION = "verification.snapshot_converted"


def sha256_of(data) -> str:
    """``assessments.services.workflows.common.sha256_of`` as of this migration (frozen)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def convert_snapshot(data, mapping: dict):
    """(converted copy, whether anything changed). Every ``members`` list of dicts has its ``relation`` mapped;
    a dict holding ``facts`` and ``facts_sha256`` gets the digest of its converted facts."""
    if isinstance(data, list):
        items = [convert_snapshot(item, mapping) for item in data]
        return [item for item, _ in items], any(changed for _, changed in items)
    if not isinstance(data, dict):
        return data, False
    converted, changed = {}, False
    for key, value in data.items():
        if key == "members" and isinstance(value, list):
            members = []
            for member in value:
                relation = member.get("relation") if isinstance(member, dict) else None
                if isinstance(relation, str) and mapping.get(relation, relation) != relation:
                    member = {**member, "relation": mapping[relation]}
                    changed = True
                member, inner = convert_snapshot(member, mapping)
                members.append(member)
                changed = changed or inner
            converted[key] = members
        else:
            converted[key], inner = convert_snapshot(value, mapping)
            changed = changed or inner
    if changed and isinstance(converted.get("facts"), dict) and converted.get("facts_sha256"):
        converted["facts_sha256"] = sha256_of(converted["facts"])
    return converted, changed


def convert(apps, mapping: dict, note: str):
    Verification = apps.get_model("assessments", "Verification")
    VerificationEvent = apps.get_model("assessments", "VerificationEvent")
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    digests: dict[int, list] = {}  # verification id → [(what, before, after)]
    events = []
    for event in VerificationEvent.objects.exclude(snapshot={}).only("id", "verification_id", "snapshot",
                                                                      "snapshot_sha256").iterator(chunk_size=500):
        snapshot, changed = convert_snapshot(event.snapshot, mapping)
        if not changed:
            continue
        before = event.snapshot_sha256
        event.snapshot = snapshot
        event.snapshot_sha256 = sha256_of(snapshot) if before else before
        events.append(event)
        digests.setdefault(event.verification_id, []).append((f"event:{event.pk}", before, event.snapshot_sha256))
    VerificationEvent.objects.bulk_update(events, ["snapshot", "snapshot_sha256"], batch_size=500)
    verifications = []
    for verification in Verification.objects.filter(decision_snapshot__isnull=False).only(
            "id", "decision_snapshot", "decision_sha256").iterator(chunk_size=500):
        snapshot, changed = convert_snapshot(verification.decision_snapshot, mapping)
        if not changed:
            continue
        before = verification.decision_sha256
        verification.decision_snapshot = snapshot
        verification.decision_sha256 = sha256_of(snapshot) if before else before
        verifications.append(verification)
        digests.setdefault(verification.pk, []).append(("decision", before, verification.decision_sha256))
    Verification.objects.bulk_update(verifications, ["decision_snapshot", "decision_sha256"], batch_size=500)
    areas = dict(Verification.objects.filter(pk__in=digests).values_list("id", "area_code"))
    AuditEvent.objects.bulk_create([
        AuditEvent(action=AUDIT_ACTION, summary=note, object_type="assessments.verification",
                   object_id=str(pk), area_code=areas.get(pk, ""),
                   changes={"snapshots": [{"snapshot": what, "sha256_before": before, "sha256_after": after}
                                          for what, before, after in changes]})
        for pk, changes in digests.items()
    ], batch_size=500)


def forwards(apps, schema_editor):
    convert(apps, OLD_TO_CODE, "数据升级：快照中的与户主关系改为 GB/T 4761 代码，快照摘要随之重算")


def backwards(apps, schema_editor):
    convert(apps, CODE_TO_OLD, "数据回退：快照中的与户主关系改回原分类，快照摘要随之重算")


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_drop_plain_api_tokens"),
        ("assessments", "0004_eligibility_reasons_text_hospital_columns"),
        ("households", "0006_relation_codes_national_lists"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
