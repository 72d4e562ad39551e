"""Resident ID numbers (GB 11643-1999): check digit, birth date, length, normalisation and masking."""

from __future__ import annotations

import pytest

from cadres.idnumbers import check_digit, id_number_error, mask_id_number, mask_phone, normalize_id_number

# Published examples of GB 11643-1999 numbers, with their check digits.
VALID_NUMBERS = (
    "11010519491231002X",  # the standard's own example; check digit X (remainder 2)
    "440524188001010014",
    "110101199003074477",
    "11010119900307803X",
)


def reference_check_digit(first17: str) -> str:
    """The check digit computed by hand from the standard: Σ(aᵢ × (2^(17-i) mod 11)) mod 11 → 1 0 X 9 … 2."""
    weights = [pow(2, 17 - position, 11) for position in range(17)]
    remainder = sum(int(digit) * weight for digit, weight in zip(first17, weights, strict=True)) % 11
    return "10X98765432"[remainder]


@pytest.mark.parametrize("number", VALID_NUMBERS)
def test_check_digit_of_published_examples_matches_their_last_character(number: str) -> None:
    assert check_digit(number[:17]) == number[17]


@pytest.mark.parametrize(
    "first17", ["13010219800101001", "13010219900101123", "99999999999999999", "00000000000000000"]
)
def test_check_digit_agrees_with_the_weights_of_the_standard(first17: str) -> None:
    assert check_digit(first17) == reference_check_digit(first17)


def test_check_digit_of_the_standards_example_is_x() -> None:
    # 1·7+1·9+0·10+1·5+0·8+5·4+1·2+9·1+4·6+9·3+1·7+2·9+3·10+1·5+0·8+0·4+2·2 = 167; 167 mod 11 = 2 → X
    assert check_digit("11010519491231002") == "X"


@pytest.mark.parametrize("number", VALID_NUMBERS)
def test_valid_numbers_have_no_error(number: str) -> None:
    assert id_number_error(number) is None


def test_wrong_check_digit_is_an_error_naming_the_expected_digit() -> None:
    message = id_number_error("110101199003074478")
    assert message is not None
    assert "校验位" in message
    assert "应为 7" in message


def test_wrong_check_digit_where_x_is_expected_names_x() -> None:
    message = id_number_error("110105194912310021")
    assert message is not None
    assert "应为 X" in message


@pytest.mark.parametrize(
    ("number", "birth"),
    [
        ("130102199002300011", "19900230"),  # 30 February
        ("130102202302290011", "20230229"),  # 29 February of a common year
        ("130102199013010011", "19901301"),  # month 13
        ("130102199000100011", "19900010"),  # month 0
        ("130102199001000011", "19900100"),  # day 0
        ("130102199004310011", "19900431"),  # 31 April
    ],
)
def test_impossible_birth_date_is_an_error_naming_the_date(number: str, birth: str) -> None:
    message = id_number_error(number)
    assert message is not None
    assert "出生日期" in message
    assert birth in message


def test_29_february_of_a_leap_year_is_a_valid_birth_date() -> None:
    first17 = "13010220000229001"
    assert id_number_error(first17 + check_digit(first17)) is None


@pytest.mark.parametrize("number", ["11010519491231002", "11010519491231002X1", "110105491231002", ""])
def test_wrong_length_is_an_error_naming_the_length(number: str) -> None:
    message = id_number_error(number)
    assert message is not None
    assert "18 位" in message
    assert f"现为 {len(number)} 位" in message


@pytest.mark.parametrize(
    "number", ["1101051949123100X2", "11010519491231A02X", "11010519491231002Y", "1101051949 231002X"]
)
def test_non_digits_outside_the_check_position_are_an_error(number: str) -> None:
    message = id_number_error(number)
    assert message is not None
    assert "数字" in message


def test_lower_case_x_is_refused_until_normalised() -> None:
    assert id_number_error("11010519491231002x") is not None
    assert id_number_error(normalize_id_number("11010519491231002x")) is None


def test_normalize_id_number_upper_cases_x_and_strips_spaces() -> None:
    assert normalize_id_number("  11010519491231002x\t") == "11010519491231002X"
    assert normalize_id_number("110101199003074477") == "110101199003074477"


def test_masked_id_number_keeps_region_and_last_four_and_hides_the_birth_date() -> None:
    masked = mask_id_number("130102199001011234")
    assert masked == "130102********1234"
    assert "19900101" not in masked
    assert len(masked) == 18


def test_masked_id_number_with_x_keeps_the_x() -> None:
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_masking_a_too_short_value_hides_everything() -> None:
    assert mask_id_number("123456789") == "*********"


def test_masked_phone_keeps_first_three_and_last_four_digits() -> None:
    assert mask_phone("13812345678") == "138****5678"
