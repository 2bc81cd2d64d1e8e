"""The one number format for distances and metric values."""

import math

import numpy as np
import pytest

from gan_core.formatting import format_distance


@pytest.mark.parametrize(
    "value, text",
    [
        (0.0, "0"),
        (-0.0, "0"),
        (0.5, "0.5"),  # trailing zeros dropped
        (1.0, "1"),
        (2 * math.log(2), "1.386"),
        (12.345, "12.35"),
        (-0.4321, "-0.4321"),  # a critic's loss can be negative
    ],
)
def test_ordinary_values_get_four_significant_digits(value, text):
    assert format_distance(value) == text


@pytest.mark.parametrize(
    "value, text",
    [
        (0.00012345, "0.0001234"),
        (1.234e-5, "0.00001234"),
        (1e-6, "0.000001"),  # the distance charts' floor: still plain
        (9.9996e-7, "0.000001"),  # rounds up into the plain range
        (1.2345e-7, "1.235e-7"),  # below a millionth: e-notation, as the browser writes it
        (1e-9, "1e-9"),
    ],
)
def test_small_values(value, text):
    assert format_distance(value) == text


@pytest.mark.parametrize(
    "value, text",
    [
        (1234.5, "1235"),  # an exact tie rounds away from zero, as JavaScript does
        (9999.5, "10000"),
        (12345.6, "12350"),
        (1e20, "100000000000000000000"),
        (1.5e21, "1.5e+21"),
    ],
)
def test_large_values(value, text):
    assert format_distance(value) == text


def test_nan_and_infinity():
    assert format_distance(math.nan) == "—"
    assert format_distance(math.inf) == "∞"
    assert format_distance(-math.inf) == "-∞"
    assert format_distance(math.inf, infinity="diverged") == "diverged"
    assert format_distance(math.nan, infinity="diverged") == "—"


def test_numpy_and_integer_inputs_read_alike():
    assert format_distance(np.float32(0.25)) == format_distance(0.25) == "0.25"
    assert format_distance(np.float64(1 / 3)) == "0.3333"
    assert format_distance(3) == "3"
