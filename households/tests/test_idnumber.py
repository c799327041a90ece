"""Tests of households.idnumber (GB 11643-1999 resident ID numbers). Pure Python, no database."""

import datetime
import pickle
import random
from decimal import Decimal

import pytest

from households.idnumber import (
    PROVINCE_CODES,
    IdNumberError,
    IdNumberInfo,
    check_excel_cell,
    id_check_digit,
    mask_id_number,
    normalize_id_number,
    upgrade_15_to_18,
    validate_id_number,
)

TODAY = datetime.date(2024, 6, 30)
PUBLISHED_SAMPLE = "11010519491231002X"

PROVINCES = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
]  # fmt: skip


def reference_check_char(first17):
    """Independent MOD 11-2: weight of position i (counted from the right, check char = 1) is 2**(i-1) mod 11;
    the check value is (12 - sum mod 11) mod 11, with 10 written as X."""
    assert len(first17) == 17 and first17.isascii() and first17.isdigit()
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def make(first17):
    return first17 + reference_check_char(first17)


def with_wrong_check(first17):
    good = reference_check_char(first17)
    return first17 + next(c for c in "0123456789X" if c != good)


def error_of(raw, **kwargs):
    with pytest.raises(IdNumberError) as info:
        validate_id_number(raw, **kwargs)
    return info.value


def test_reference_computation_agrees_with_published_sample():
    assert reference_check_char(PUBLISHED_SAMPLE[:17]) == "X"


def test_province_codes_are_exactly_the_34():
    assert PROVINCE_CODES == set(PROVINCES)
    assert len(PROVINCE_CODES) == 34


# --- valid numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "birth_date", "sex", "address_code"),
    [
        (PUBLISHED_SAMPLE, datetime.date(1949, 12, 31), "female", "110105"),
        (make("11010519491231001"), datetime.date(1949, 12, 31), "male", "110105"),
        (make("53042719850704123"), datetime.date(1985, 7, 4), "male", "530427"),
        (make("44030620000229004"), datetime.date(2000, 2, 29), "female", "440306"),
        (make("65010219000101005"), datetime.date(1900, 1, 1), "male", "650102"),
        (make("82000020240630008"), TODAY, "female", "820000"),
        (make("71000019991231009"), datetime.date(1999, 12, 31), "male", "710000"),
    ],
)
def test_valid_numbers(number, birth_date, sex, address_code):
    info = validate_id_number(number, today=TODAY)
    assert info == IdNumberInfo(number=number, birth_date=birth_date, sex=sex, address_code=address_code)


def test_some_built_numbers_end_in_x():
    assert any(make(f"1101051949123100{n}").endswith("X") for n in range(10))


def test_published_sample_validates_with_default_today():
    info = validate_id_number(PUBLISHED_SAMPLE)
    assert info.number == PUBLISHED_SAMPLE
    assert info.sex == "female"


def test_info_is_frozen():
    info = validate_id_number(PUBLISHED_SAMPLE, today=TODAY)
    with pytest.raises(AttributeError):
        info.number = "x"


def test_today_may_be_a_datetime():
    number = make("11010520240630001")
    assert validate_id_number(number, today=datetime.datetime(2024, 6, 30, 23, 59)).birth_date == TODAY


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        "110105 19491231 002X",
        "  110105\t19491231\n002x  ",
        "\u3000110105\u300019491231\u3000002X\u3000",
        "110105\u00a019491231\u00a0002X",
        "\ufeff110105\u200b19491231002X",
    ],
)
def test_messy_input_is_normalised_and_accepted(raw):
    assert normalize_id_number(raw) == PUBLISHED_SAMPLE
    assert validate_id_number(raw, today=TODAY).number == PUBLISHED_SAMPLE


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        ("", ""),
        ("   ", ""),
        ("x", "X"),
        ("11x05", "11x05"),  # only a trailing x is upper-cased
        ("ａｂｃ１２３", "abc123"),
        ("1101-05", "1101-05"),  # other characters are left for the validator to report
    ],
)
def test_normalize(raw, expected):
    assert normalize_id_number(raw) == expected


def test_normalize_rejects_non_strings():
    with pytest.raises(TypeError):
        normalize_id_number(110105194912310021)


@pytest.mark.parametrize(
    "number",
    [
        # Chongqing (50) became a province-level municipality in 1997; people born earlier and first
        # registered afterwards hold 50xxxx numbers.
        make("50010119500315001"),
        make("50023519500101123"),
        # Hainan (46) was created in 1988.
        make("46000019300505002"),
        # An address code that is in no current list.
        make("11999919600101001"),
    ],
)
def test_address_code_newer_than_birth_date_is_accepted(number):
    info = validate_id_number(number, today=TODAY)
    assert info.address_code == number[:6]
    assert info.birth_date.year < 1997


# --- failures ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000\t"])
def test_empty(raw):
    assert error_of(raw).code == "empty"


@pytest.mark.parametrize(
    ("raw", "actual"),
    [
        (PUBLISHED_SAMPLE[:17], 17),
        (PUBLISHED_SAMPLE + "1", 19),
        ("1101051949123", 13),
        ("11010519491231002X11", 20),
        ("11010519491231002XX", 19),  # length is checked before the position of X
    ],
)
def test_wrong_length(raw, actual):
    error = error_of(raw, today=TODAY)
    assert error.code == "length"
    assert error.message == f"身份证号码应为 18 位，实际为 {actual} 位"
    assert str(error) == error.message


def test_legacy_15_digit_number_has_its_own_message():
    error = error_of("110105491231002", today=TODAY)
    assert error.code == "length"
    assert "15 位旧号码" in error.message
    assert "18 位" in error.message
    assert "升级" in error.message


@pytest.mark.parametrize(
    ("number15", "expected_first17"),
    [
        ("110105491231002", "11010519491231002"),
        ("530427850704123", "53042719850704123"),
        ("１１０１０５ ４９１２３１ ００２", "11010519491231002"),
    ],
)
def test_upgrade_15_to_18(number15, expected_first17):
    upgraded = upgrade_15_to_18(number15)
    assert upgraded == make(expected_first17)
    assert validate_id_number(upgraded, today=TODAY).number == upgraded


def test_upgrade_of_published_sample_matches():
    assert upgrade_15_to_18("110105491231002") == PUBLISHED_SAMPLE


@pytest.mark.parametrize(
    ("raw", "code"), [("", "empty"), ("11010549123100X", "characters"), ("11010549123100", "length")]
)
def test_upgrade_rejects_non_legacy_input(raw, code):
    with pytest.raises(IdNumberError) as info:
        upgrade_15_to_18(raw)
    assert info.value.code == code


@pytest.mark.parametrize(
    ("raw", "position", "char"),
    [
        ("1101051949A231002X", 11, "A"),
        ("11010519491231O02X", 15, "O"),  # letter O instead of zero
        ("110105194912310a2X", 16, "a"),
        ("1101X5194912310021", 5, "X"),  # X is only allowed last
        ("110105-19491231-002X", 7, "-"),
        ("11010519491231002Y", 18, "Y"),
        ("110105194912310０2X".replace("０", "°"), 16, "°"),
    ],
)
def test_bad_characters(raw, position, char):
    error = error_of(raw, today=TODAY)
    assert error.code == "characters"
    assert error.message.startswith("身份证号码只能包含数字，最后一位可以是 X")
    assert f"第 {position} 位" in error.message
    assert char in error.message


@pytest.mark.parametrize("digits", ["١١٠١٠٥١٩٤٩١٢٣١٠٠٢", "¹¹⁰¹⁰⁵¹⁹⁴⁹¹²³¹⁰⁰²"])
def test_non_ascii_digits_are_refused(digits):
    assert error_of(digits + "X", today=TODAY).code == "characters"


@pytest.mark.parametrize("province", ["99", "00", "10", "83", "91", "47", "72"])
def test_province(province):
    error = error_of(make(province + "010519491231002"), today=TODAY)
    assert error.code == "province"
    assert error.message == f"身份证号码前两位 {province} 不是有效的省级行政区划代码"


@pytest.mark.parametrize("birth", ["19990230", "19990231", "19000229", "19991301", "19990000", "19990431"])
def test_impossible_birth_date(birth):
    error = error_of(make(f"110105{birth}002"), today=TODAY)
    assert error.code == "birth_date"
    assert error.message == f"身份证号码中的出生日期 {birth} 不是有效日期"


def test_future_birth_date():
    error = error_of(make("11010520240701002"), today=TODAY)
    assert error.code == "future"
    assert "出生日期不能晚于今天" in error.message
    assert "20240701" in error.message


def test_born_today_is_accepted_and_tomorrow_is_not():
    number = make("11010520240630002")
    assert validate_id_number(number, today=TODAY).birth_date == TODAY
    assert error_of(number, today=TODAY - datetime.timedelta(days=1)).code == "future"


@pytest.mark.parametrize("birth", ["18991231", "18990101", "18000101"])
def test_born_before_1900(birth):
    error = error_of(make(f"110105{birth}002"), today=TODAY)
    assert error.code == "too_old"
    assert "出生日期不能早于 1900 年" in error.message


@pytest.mark.parametrize(
    ("number", "expected", "actual"),
    [
        ("110105194912310023", "X", "3"),
        ("110105194912310020", "X", "0"),
        (make("53042719850704123")[:17] + "X", reference_check_char("53042719850704123"), "X"),
    ],
)
def test_wrong_check_digit(number, expected, actual):
    assert expected != actual
    error = error_of(number, today=TODAY)
    assert error.code == "check_digit"
    assert error.message == f"身份证号码第 18 位校验码错误：应为 {expected}，实际为 {actual}"


def test_rules_are_checked_in_order():
    # Wrong province, impossible date and wrong check digit: the province is reported first.
    assert error_of("990105199902300020", today=TODAY).code == "province"
    # Impossible date and wrong check digit: the date is reported.
    assert error_of(with_wrong_check("11010519990230002"), today=TODAY).code == "birth_date"


def test_error_is_a_value_error_and_picklable():
    error = error_of("110105194912310023", today=TODAY)
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.message, str(copy)) == (error.code, error.message, str(error))


def test_error_code_must_be_known():
    with pytest.raises(ValueError):
        IdNumberError("nonsense", "…")


# --- check digit ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first17", "check"),
    [("11010519491231002", "X"), ("11010519491231001", reference_check_char("11010519491231001"))],
)
def test_id_check_digit(first17, check):
    assert id_check_digit(first17) == check


@pytest.mark.parametrize(
    "bad", ["", "1101051949123100", "110105194912310021", "1101051949123100X", "١" * 17, None]
)
def test_id_check_digit_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        id_check_digit(bad)


def _random_bodies(count):
    rng = random.Random(11643)
    first, last = datetime.date(1900, 1, 1).toordinal(), TODAY.toordinal()
    for _ in range(count):
        province = rng.choice(PROVINCES)
        address = province + "".join(rng.choice("0123456789") for _ in range(4))
        birth = datetime.date.fromordinal(rng.randint(first, last))
        sequence = "".join(rng.choice("0123456789") for _ in range(3))
        yield address + birth.strftime("%Y%m%d") + sequence, birth


def test_property_only_the_computed_check_character_validates():
    bodies = list(_random_bodies(200))
    assert len({body for body, _ in bodies}) == 200
    for body, birth in bodies:
        good = reference_check_char(body)
        assert id_check_digit(body) == good
        info = validate_id_number(body + good, today=TODAY)
        assert info.birth_date == birth
        assert info.sex == ("male" if int(body[16]) % 2 else "female")
        for other in "0123456789X":
            if other == good:
                continue
            error = error_of(body + other, today=TODAY)
            assert error.code == "check_digit"
            assert f"应为 {good}，实际为 {other}" in error.message


# --- spreadsheet cells ------------------------------------------------------------------------------------

EXCEL_MESSAGE = "身份证号码被保存为数字（科学计数法），后几位已丢失；请将该列设为文本格式后重新输入"


@pytest.mark.parametrize(
    "value",
    [
        4.30102199003072e17,
        430102199003072000,
        Decimal("430102199003072000"),
        "4.30102199003072E+17",
        "4.30102199003072e+17",
        "4.30102E+17",
        " 4.30102199003072E+17 ",
        "430102199003072000.0",
        "430102199003072000.00",
    ],
)
def test_excel_number_is_refused(value):
    with pytest.raises(IdNumberError) as info:
        check_excel_cell(value)
    assert info.value.code == "excel_float"
    assert info.value.message == EXCEL_MESSAGE


@pytest.mark.parametrize(
    "value", [4.30102199003072e17, 430102199003072000, "4.30102199003072E+17", "430102199003072000.0"]
)
def test_validate_reports_excel_numbers_too(value):
    assert error_of(value, today=TODAY).code == "excel_float"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (PUBLISHED_SAMPLE, PUBLISHED_SAMPLE),
        (" 11010519491231002x ", " 11010519491231002x "),
        ("110105491231002", "110105491231002"),
        ("", ""),
        (None, ""),
        (True, "True"),
    ],
)
def test_excel_text_cell_is_passed_through(value, expected):
    assert check_excel_cell(value) == expected


# --- masking ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        (PUBLISHED_SAMPLE, "110105********002X"),
        ("530427198507041234", "530427********1234"),
        ("110105 19491231 002x", "110105********002X"),
        ("11010519491231002X1", "110105*********02X1"),
        ("110105491231002", "*************02"),
        ("11010519491231002", "***************02"),
        ("12345", "***45"),
        ("123", "*23"),
        ("12", "**"),
        ("1", "*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask(number, masked):
    assert mask_id_number(number) == masked
