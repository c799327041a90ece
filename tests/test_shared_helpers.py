"""The small helpers every app shares: canonical JSON digests, county code and prefix of an area code, and the
user recorded for an action."""
import datetime
import hashlib
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from povalleviation.actors import saved_user
from povalleviation.digests import COMPACT, COMPACT_STRICT, SPACED_STRICT, canonical_json, json_sha256
from villages.choices import AreaLevel
from villages.codes import area_prefix, county_code
from villages.models import Area

DATA = {"户主": "张三", "b": [1, 2, {"z": None, "a": True}], "a": "x"}


def test_canonical_json_forms_keep_the_text_stored_digests_were_computed_from():
    assert canonical_json(DATA, COMPACT) == '{"a":"x","b":[1,2,{"a":true,"z":null}],"户主":"张三"}'
    assert canonical_json(DATA, COMPACT_STRICT) == canonical_json(DATA, COMPACT)
    assert canonical_json(DATA, SPACED_STRICT) == '{"a": "x", "b": [1, 2, {"a": true, "z": null}], "户主": "张三"}'


def test_each_form_hashes_exactly_as_its_callers_did_before():
    def sha(text):
        return hashlib.sha256(text.encode()).hexdigest()

    loose = {**DATA, "amount": Decimal("12.50"), "on": datetime.date(2024, 3, 1)}
    # verification snapshots and publicity contents (assessments), audit archive lines (accounts)
    assert json_sha256(loose, COMPACT) == sha(
        json.dumps(loose, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str))
    # quarterly report snapshots (reports)
    assert json_sha256(DATA, COMPACT_STRICT) == sha(
        json.dumps(DATA, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
    # project event snapshots (projects), rectification submissions (oversight)
    assert json_sha256(DATA, SPACED_STRICT) == sha(json.dumps(DATA, sort_keys=True, ensure_ascii=False))
    assert len({json_sha256(DATA, COMPACT), json_sha256(DATA, SPACED_STRICT)}) == 2


def test_strict_forms_refuse_values_json_cannot_hold_and_compact_writes_them_as_text():
    with pytest.raises(TypeError):
        json_sha256({"amount": Decimal("1.5")}, COMPACT_STRICT)
    with pytest.raises(TypeError):
        json_sha256({"amount": Decimal("1.5")}, SPACED_STRICT)
    assert canonical_json({"amount": Decimal("1.50"), "on": datetime.date(2024, 3, 1)}, COMPACT) == (
        '{"amount":"1.50","on":"2024-03-01"}')


@pytest.mark.parametrize("code", ["530427000000", "530427101000", "530427101201", "530427101201003"])
def test_county_code_of_any_area_below_a_county(code):
    assert county_code(code) == "530427000000"


@pytest.mark.parametrize("code, level, prefix", [
    ("530000000000", AreaLevel.PROVINCE, "53"),
    ("530400000000", AreaLevel.CITY, "5304"),
    ("531000000000", AreaLevel.CITY, "5310"),
    ("530410000000", AreaLevel.COUNTY, "530410"),
    ("530427100000", AreaLevel.TOWNSHIP, "530427100"),
    ("530427101000", AreaLevel.TOWNSHIP, "530427101"),
    ("530427101200", AreaLevel.VILLAGE, "530427101200"),
    ("530427101201", AreaLevel.VILLAGE, "530427101201"),
    ("530427101201010", AreaLevel.GROUP, "530427101201010"),
])
def test_area_prefix_from_the_code_alone_matches_the_prefix_by_level(code, level, prefix):
    assert area_prefix(code) == prefix
    assert area_prefix(code, level) == prefix
    assert Area(code=code, level=level).scope_prefix == prefix


def test_saved_user_records_only_a_saved_user():
    saved = User(pk=7, username="matrix_saved")
    assert saved_user(saved) is saved
    assert saved_user(None) is None  # the installation itself (commands, tasks, demo loaders)
    assert saved_user(AnonymousUser()) is None
    assert saved_user(User(username="not_saved")) is None
