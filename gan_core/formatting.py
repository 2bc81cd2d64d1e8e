"""Distances and other metric values as people read them: one rule for every page and the CLI.

Four significant digits, trailing zeros dropped, plain decimals from a millionth up
(0.0001234, 12.35, 12350) and e-notation only below that or past 10²¹ (1.234e-7). That is
exactly what the browser's `%.4g` shows (sprintf-js, which Streamlit's number columns use:
JavaScript's toPrecision, ties rounded away from zero), so a table formatted there reads
like text formatted here; plotly's hover writes the same with `HOVER_FORMAT` from a millionth
up, which is as low as the distance charts go.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from gan_core.i18n import N_

SIGNIFICANT_DIGITS = 4
MISSING = "—"  # NaN: no value (not measured, or undefined at this step)
INFINITY = "∞"  # e.g. KL to a singular covariance
# A sweep's word for infinity: a diverged run's distance counts as inf. Marked for the
# catalog; a page shows it as `_(DIVERGED)`, the command line as it is.
DIVERGED = N_("diverged")
COLUMN_FORMAT = f"%.{SIGNIFICANT_DIGITS}g"  # for Streamlit's NumberColumn(format=...)
HOVER_FORMAT = f".{SIGNIFICANT_DIGITS}~r"  # for a plotly hovertemplate: %{y:.4~r}
_PLAIN_FROM, _PLAIN_UNTIL = Decimal("1e-6"), Decimal("1e21")  # JavaScript's plain range


def format_distance(value: float, infinity: str = INFINITY) -> str:
    """`value` rounded to four significant digits, as text (see the module's docstring).

    `infinity` is the text for +inf where infinity has a meaning of its own (a sweep's
    diverged runs); NaN is "—" and 0 is "0".
    """
    value = float(value)
    if math.isnan(value):
        return MISSING
    if math.isinf(value):
        return infinity if value > 0 else f"-{INFINITY}"
    if value == 0:
        return "0"  # -0.0 too
    exact = Decimal(abs(value))  # the float's exact binary value, as JavaScript rounds it
    unit = Decimal(1).scaleb(exact.adjusted() - SIGNIFICANT_DIGITS + 1)
    rounded = exact.quantize(unit, rounding=ROUND_HALF_UP).normalize()
    style = "f" if _PLAIN_FROM <= rounded < _PLAIN_UNTIL else "e"
    return ("-" if value < 0 else "") + format(rounded, style)
