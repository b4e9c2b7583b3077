"""SPEC §2.0: figures read exactly, checked for places and range, published without `-0.00`."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assess.application.season import SeasonError, loads_exact, parse_text
from assess.domain.errors import DomainError
from assess.domain.numbers import HUNDRED, fmt, parse_decimal, parse_in_range, round2

D = Decimal


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (D("87.5"), "87.5"),
        (D("87.500"), "87.500"),  # trailing zeros are no decimals
        (87, "87"),
        (D("-0"), "0"),
        (D("-0.00"), "0.00"),
        (D("0E-10"), "0.00"),
        (D("1E+30"), "1E+30"),  # counted, not rounded: the range refuses it
        (0.5, "0.5"),
    ],
)
def test_read(raw: object, expected: str) -> None:
    assert str(parse_decimal(raw, "value")) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (D("87.5000000001"), "more than 2 decimals"),
        (D("99.999999999999999999"), "more than 2 decimals"),
        (D("0.001"), "more than 2 decimals"),
        (D("NaN"), "must be finite"),
        (D("-Infinity"), "must be finite"),
        ("NaN", "must be a number"),
        (True, "must be a number"),
        (None, "must be a number"),
    ],
)
def test_refused(raw: object, message: str) -> None:
    with pytest.raises(DomainError, match=message) as caught:
        parse_decimal(raw, "value")
    assert caught.value.code == "invalid_value"


def test_range_and_a_long_number_cut_short() -> None:
    assert parse_in_range(D("100"), "points", D(0), HUNDRED, above_low=True) == 100
    with pytest.raises(DomainError, match=r"more than 0 and at most 100, got 0$"):
        parse_in_range(D("0"), "points", D(0), HUNDRED, above_low=True)
    with pytest.raises(DomainError, match="between -100 and 100") as caught:
        parse_in_range(D("9" * 5000), "delta", -HUNDRED, HUNDRED)
    assert len(caught.value.message) < 100 and caught.value.message.endswith("…")


@pytest.mark.parametrize("value", ["-0.00", "-0", "-0.001", "-0.004999", "0E-5"])
def test_no_output_shows_negative_zero(value: str) -> None:
    assert fmt(D(value)) == "0.00"
    assert str(round2(D(value))) == "0.00"


def test_half_up_unchanged() -> None:
    assert [fmt(D(v)) for v in ("87.505", "-1", "-0.005", "2.675")] == [
        "87.51",
        "-1.00",
        "-0.01",
        "2.68",
    ]


def test_json_numbers_are_exact() -> None:
    document = loads_exact(
        "[87.5000000001, 99.999999999999999999, NaN, -Infinity, 1e999, -0.00, 7, %s]" % ("9" * 5000)
    )
    assert document[:2] == [D("87.5000000001"), D("99.999999999999999999")]
    assert document[2].is_nan() and document[3] == D("-Infinity") and document[4] == D("1e999")
    assert str(document[5]) == "-0.00" and document[6] == 7 and type(document[6]) is int
    assert document[7] == D("9" * 5000)


def test_yaml_numbers_are_exact() -> None:
    document = parse_text(
        "[87.5000000001, .nan, -.inf, .Inf, 1_000.25, '1:30.5', 1:30.5, -1.0e+30, 0x1f, 12]",
        "batch.yaml",
    )
    assert document[0] == D("87.5000000001") and document[1].is_nan()
    assert document[2] == D("-Infinity") and document[3] == D("Infinity")
    assert document[4:6] == [D("1000.25"), "1:30.5"]
    assert document[6] == D("90.5") and document[7] == D("-1.0e+30")
    assert document[8:] == [31, 12]
    assert parse_text("value: " + "9" * 5000, "b.yaml") == {"value": D("9" * 5000)}
    with pytest.raises(SeasonError, match="not a number"):
        parse_text("value: !!float abc", "b.yaml")
