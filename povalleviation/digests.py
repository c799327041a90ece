"""Canonical JSON text of stored data, and its SHA-256.

A stored digest (a workflow snapshot's ``snapshot_sha256``, a report's ``snapshot_sha256``, a rectification
item's ``submission_sha256``…) is compared later with one recomputed from the stored data, so the exact text a
kind of data is hashed in may never change. Keys are always sorted and Chinese is kept as UTF-8 (not ``\\uXXXX``);
the kinds stored before this module existed differ in separators and in whether values JSON cannot hold
(``Decimal``, dates) are written as ``str(value)`` or refused. Every caller therefore names its form explicitly.
"""
import hashlib
import json
from dataclasses import dataclass


@dataclass(frozen=True)
class JsonForm:
    """How data is written before hashing: ``separators`` as for ``json.dumps``; ``text_fallback`` writes
    values JSON cannot hold as ``str(value)`` (otherwise ``json.dumps`` refuses them with ``TypeError``)."""

    separators: tuple[str, str]
    text_fallback: bool


# No spaces; Decimals and dates as text. Verification snapshots, publicity and announcement contents, audit archives.
COMPACT = JsonForm(separators=(",", ":"), text_fallback=True)
# No spaces; JSON values only. Quarterly report snapshots.
COMPACT_STRICT = JsonForm(separators=(",", ":"), text_fallback=False)
# ``json.dumps``'s default ", " and ": "; JSON values only. Project event snapshots, rectification submissions.
SPACED_STRICT = JsonForm(separators=(", ", ": "), text_fallback=False)


def canonical_json(data, form: JsonForm) -> str:
    """``data`` as JSON text in ``form``: keys sorted, non-ASCII characters kept as they are."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=form.separators,
                      default=str if form.text_fallback else None)


def json_sha256(data, form: JsonForm) -> str:
    """Hex SHA-256 of the UTF-8 bytes of ``canonical_json(data, form)``."""
    return hashlib.sha256(canonical_json(data, form).encode("utf-8")).hexdigest()
