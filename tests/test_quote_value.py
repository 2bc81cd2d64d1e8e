"""Refusals quote values cut short: a huge input never makes a huge message.

`quote_value` itself, then each place outside the catalogue (tests/bad_inputs.py) that
quotes a value: every one must still name the field and what is allowed.
"""

from __future__ import annotations

import pytest

from gan_core.config import QUOTE_LIMIT, ConfigError, GanConfig, Target, quote_value
from gan_core.serialize import from_dict, from_query
from gan_core.store.record import check_name
from gan_core.sweep.axes import Axis, parse_axis, parse_values
from ui.controls.layers_text import parse_layers
from ui.sweep_form import axis_from_inputs

HUGE = "9" * 60_000
MAX_MESSAGE_CHARS = 400


def test_short_values_are_quoted_whole():
    assert quote_value("ten") == "'ten'"
    assert quote_value("x" * QUOTE_LIMIT) == repr("x" * QUOTE_LIMIT)
    assert quote_value(2.5) == "2.5"
    assert quote_value((1, "a")) == "(1, 'a')"


def test_long_text_is_cut_with_its_length():
    assert quote_value("1" * 60_000) == f"'{'1' * 60}…' (60,000 characters)"
    assert quote_value("abcdef", limit=3) == "'abc…' (6 characters)"
    assert quote_value("it's" * 10, limit=4) == '"it\'s…" (40 characters)'


def test_escapes_do_not_lengthen_what_is_shown():
    assert quote_value("\x00" * 100, limit=8) == "'\\x00\\x00…' (100 characters)"


def test_long_numbers_and_lists_are_cut_with_their_length():
    assert quote_value(10**400) == f"1{'0' * 59}… (401 digits)"
    assert quote_value(-(10**400)) == f"-1{'0' * 58}… (401 digits)"
    assert quote_value(list(range(1000))).endswith("… (4,890 characters)")
    assert quote_value(10**5000) == "a whole number too large to show"


def refusal(call, *args) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        call(*args)
    message = str(caught.value)
    assert len(message) <= MAX_MESSAGE_CHARS, message
    assert "\n" not in message
    return caught.value


@pytest.mark.parametrize(
    "call, args, field, words",
    [
        (GanConfig, (), "loss", "(60,000 characters) is not one of cross_entropy"),
        (Target, (), "target.mean", "(60,000 characters) must be two numbers (x, y)"),
        (from_query, ({"cov": HUGE},), "cov", "(60,000 characters) must be 4 comma-separated"),
        (from_query, ({"v": HUGE},), "v", "(60,000 characters) is not supported: this version"),
        (from_dict, ({"d_hidden": HUGE},), "d_hidden", "must be a list of layer widths"),
        (parse_values, ("lr_d", "x" * 60_000), "lr_d", "(60,000 characters) is not a number"),
        (parse_values, (HUGE, "1"), "axis", "(60,000 characters) cannot be swept: choose from"),
        (parse_values, ("lr_d", "logspace:" + HUGE), "lr_d", "is not a range: write logspace"),
        (parse_values, ("seed", "linspace:0:1:" + HUGE + ".5"), "seed", "is not a whole number"),
        (parse_axis, (HUGE,), "axis", "(60,000 characters) must look like KEY=V1,V2"),
        (Axis, ("lr_d", (HUGE,)), "lr_d", "(60,000 characters) is not a number"),
        (parse_layers, ("d_hidden", "5, " + HUGE + "x"), "d_hidden", "is not a positive whole"),
        (axis_from_inputs, ("lr_d", HUGE, "", "", "", 1), "lr_d", "is not a way to give values"),
    ],
)
def test_every_quoting_place_cuts_the_value(call, args, field, words):
    if call is GanConfig:
        args, kwargs = (), {"loss": HUGE}
    elif call is Target:
        args, kwargs = (), {"mean": HUGE}
    else:
        kwargs = {}
    error = refusal(lambda: call(*args, **kwargs))
    assert error.field == field
    assert words in str(error)


def test_a_run_name_refusal_cuts_the_name():
    with pytest.raises(ValueError) as caught:
        check_name(HUGE)
    assert len(str(caught.value)) <= MAX_MESSAGE_CHARS
    assert "(60,000 characters) must be 1 to 80 letters" in str(caught.value)


def test_the_command_lines_own_refusals_cut_what_they_quote(capsys):
    from gan_core.cli import main
    from gan_core.presets import get_preset
    from gan_core.sweep.cli import parse_seeds

    with pytest.raises(ConfigError) as preset:
        get_preset(HUGE)
    with pytest.raises(ConfigError) as seeds:
        parse_seeds(HUGE + "x")
    assert main(["train", "--set", HUGE, "--epochs", "1"]) == 2
    set_line = capsys.readouterr().err
    for message, field, length in (
        (str(preset.value), "preset", "60,000"),
        (str(seeds.value), "seeds", "60,001"),
    ):
        assert field in message and f"({length} characters)" in message
        assert len(message) <= MAX_MESSAGE_CHARS
    assert "--set" in set_line and "expected KEY=VALUE" in set_line
    assert len(set_line) <= MAX_MESSAGE_CHARS
