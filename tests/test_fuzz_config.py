"""Property-based fuzzing of every parser a person can feed: nothing but ConfigError escapes.

A config file, a share link, a CSV of points and a checkpoint all come from outside.
Whatever they hold, parsing either refuses with a ConfigError (which the app and CLI turn
into one clear message) or yields a config that is within every bound and survives both
round trips unchanged. Any other exception is a crash a person could trigger.

Example counts are kept small so the whole file stays well under a minute on a busy
two-core machine; GANSCOPE_FUZZ_SCALE multiplies them all for a longer hunt.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import json
import math
import os
import string

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gan_core import config as bounds
from gan_core.config import ConfigError, GanConfig, Target, covariance_problem
from gan_core.points_io import parse_points
from gan_core.serialize import from_dict, from_json, from_query, to_dict, to_json, to_query
from gan_core.training.checkpoint import checkpoint_state, load_checkpoint
from gan_core.training.trainer import Diverged, Trainer

RUN_KEYS = [f.name for f in dataclasses.fields(GanConfig) if f.name != "target"]
TARGET_KEYS = [f.name for f in dataclasses.fields(Target)]
QUERY_KEYS = ["v", "target", "mean", "cov", "points", *RUN_KEYS]

# Valid starting points for mutation: each exercises a different part of the parser.
BASES = [
    GanConfig(),
    GanConfig(target=Target(kind="ring"), g_hidden=(8, 8), loss="wasserstein_gp", d_steps=5),
    GanConfig(
        target=Target(kind="points", points=((0.0, 1.0), (2.0, -1.5), (3.25, 4.0))), batch_size=3
    ),
    GanConfig(target=Target(mean=(-2.0, 0.5), cov=((0.0, 0.0), (0.0, 3.0))), noise="uniform"),
]

# GANSCOPE_FUZZ_SCALE=20 runs twenty times the examples (a few minutes).
SCALE = float(os.environ.get("GANSCOPE_FUZZ_SCALE", "1"))


def examples(count: int):
    return settings(max_examples=max(1, round(count * SCALE)))


# ---------------------------------------------------------------- strategies

HUGE_INTS = [2**53 + 1, 2**63, -(2**63) - 1, 10**400, -(10**400), 10**4000]
SPECIAL_FLOATS = [math.nan, math.inf, -math.inf, -0.0, 1e308, -1e308, 5e-324, 1e300, 1e-300]
NUMERIC_TEXT = ["0", "-0", "1", "1.5", "-3", "1e3", "1e400", "nan", "inf", "-inf", "0x10", "1_0"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(HUGE_INTS),
    st.floats(),  # nan and infinities included
    st.sampled_from(SPECIAL_FLOATS),
    st.text(max_size=12),  # any unicode
    st.sampled_from(NUMERIC_TEXT),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
# Shapes the parser must inspect more closely than a scalar: pairs and 2x2 matrices.
pairs = st.lists(scalars, min_size=2, max_size=2)
matrices = st.lists(st.lists(scalars, min_size=2, max_size=2), min_size=2, max_size=2)
setting_values = st.one_of(json_values, pairs, matrices)

text_values = st.one_of(
    st.text(max_size=20),
    st.sampled_from(NUMERIC_TEXT + ["", " ", ",", "1,2", "1,,2", "4,4,4,4", "9" * 5000]),
    st.integers().map(str),
    st.floats().map(repr),
    st.lists(st.sampled_from(NUMERIC_TEXT), max_size=6).map(",".join),
)


@st.composite
def mutated_dicts(draw):
    """A valid config's JSON data with keys dropped, changed to any value, or added."""
    data = to_dict(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 4))):
        nested = isinstance(data.get("target"), dict) and draw(st.booleans())
        where = data["target"] if nested else data
        keys = TARGET_KEYS if nested else RUN_KEYS + ["version", "target"]
        action = draw(st.sampled_from(["set", "set", "drop", "add"]))
        if action == "drop" and where:
            del where[draw(st.sampled_from(sorted(where)))]
        elif action == "add":
            where[draw(st.text(max_size=8))] = draw(setting_values)
        else:
            where[draw(st.sampled_from(keys))] = draw(setting_values)
    return data


@st.composite
def mutated_queries(draw):
    """A valid share link's parameters with some values replaced, dropped or added."""
    query = dict(to_query(draw(st.sampled_from(BASES))))
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["set", "set", "drop", "add"]))
        if action == "drop":
            query.pop(draw(st.sampled_from(sorted(query))))
        elif action == "add":
            query[draw(st.text(max_size=8))] = draw(text_values)
        else:
            query[draw(st.sampled_from(QUERY_KEYS))] = draw(text_values)
    return query


# ---------------------------------------------------------------- what a parsed config must be


def assert_valid_and_round_trips(config: GanConfig) -> None:
    """Every bound holds, independently of the validator, and both round trips are exact."""
    target = config.target
    assert target.kind in bounds.TARGET_KINDS
    assert all(type(v) is float and abs(v) <= bounds.MAX_ABS_COORD for v in target.mean)
    assert covariance_problem(target.cov) is None
    assert target.cov[0][1] == target.cov[1][0]  # stored symmetric, as the sampler expects
    if target.kind == "points":
        assert bounds.MIN_SAMPLES <= len(target.points) <= bounds.MAX_POINTS
        assert all(
            math.isfinite(v) and abs(v) <= bounds.MAX_ABS_COORD for p in target.points for v in p
        )
    else:
        assert target.points == ()
    for name in ("n_samples", "noise_dim", "batch_size", "epochs", "d_steps", "seed"):
        assert type(getattr(config, name)) is int, name
    for name in ("lr_d", "lr_g", "beta1", "beta2", "ema", "init_std", "gp_weight"):
        assert type(getattr(config, name)) is float and math.isfinite(getattr(config, name))
    assert 0 < config.lr_d <= bounds.MAX_LR and 0 < config.lr_g <= bounds.MAX_LR
    for layers in (config.g_hidden, config.d_hidden):
        assert type(layers) is tuple and len(layers) <= bounds.MAX_LAYERS
        assert all(type(w) is int and 1 <= w <= bounds.MAX_WIDTH for w in layers)
    assert 1 <= config.batch_size <= config.data_size
    assert config.total_steps <= bounds.MAX_TOTAL_STEPS
    assert 0 <= config.seed <= bounds.MAX_SEED

    assert from_json(to_json(config)) == config
    try:
        query = to_query(config)
    except ConfigError as error:
        # By design: a large point set does not fit in a link (the file is offered instead).
        assert target.kind == "points" and error.field == "target.points"
        return
    assert all(isinstance(v, str) for v in query.values())
    assert from_query(query) == config


def parse_or_refuse(parse, value):
    """Parse; a ConfigError is a fine answer, any other exception fails the test."""
    try:
        result = parse(value)
    except ConfigError as error:
        assert error.field and str(error).startswith(f"{error.field}: ")
        return None
    return result


# ---------------------------------------------------------------- JSON


@examples(300)
@given(mutated_dicts())
def test_mutated_config_json(data):
    for parse, value in ((from_dict, data), (from_json, json.dumps(data))):
        config = parse_or_refuse(parse, value)
        if config is not None:
            assert_valid_and_round_trips(config)


@examples(150)
@given(
    st.dictionaries(
        st.one_of(st.sampled_from(RUN_KEYS + ["version", "target"]), st.text(max_size=8)),
        setting_values,
        max_size=4,
    ),
    st.dictionaries(st.sampled_from(TARGET_KEYS), setting_values, max_size=4),
)
def test_arbitrary_values_at_every_key(data, target):
    """Any JSON value under a known (or random) key, and inside a nested target."""
    for candidate in (data, {**data, "target": target}):
        config = parse_or_refuse(from_json, json.dumps(candidate))
        if config is not None:
            assert_valid_and_round_trips(config)


@examples(150)
@given(st.one_of(st.binary(max_size=200), json_values.map(json.dumps).map(str.encode)))
def test_arbitrary_bytes_as_a_config_file(data):
    config = parse_or_refuse(from_json, data)
    if config is not None:
        assert_valid_and_round_trips(config)


@pytest.mark.parametrize("depth", [10, 1000, 100_000])
def test_deeply_nested_json(depth):
    """Within the size cap, nesting alone must not crash the parser (recursion limit):
    it is refused with a ConfigError, never a RecursionError."""
    for text in ("[" * depth + "]" * depth, '{"target": ' * depth + "{}" + "}" * depth):
        assert parse_or_refuse(from_json, text) is None


# ---------------------------------------------------------------- URL query


@examples(250)
@given(mutated_queries())
def test_mutated_share_links(query):
    config = parse_or_refuse(from_query, query)
    if config is not None:
        assert_valid_and_round_trips(config)


@examples(150)
@given(
    st.dictionaries(
        st.one_of(st.sampled_from(QUERY_KEYS), st.text(max_size=6)),
        # A repeated parameter arrives as a list; the last value counts.
        st.one_of(text_values, st.lists(text_values, max_size=3)),
        max_size=6,
    )
)
def test_arbitrary_link_parameters(query):
    config = parse_or_refuse(from_query, query)
    if config is not None:
        assert_valid_and_round_trips(config)


@examples(60)
@given(st.one_of(st.text(max_size=60), st.binary(max_size=60).map(lambda b: b.hex())))
def test_arbitrary_point_data_in_a_link(text):
    config = parse_or_refuse(from_query, {"target": "points", "batch_size": "2", "points": text})
    if config is not None:
        assert_valid_and_round_trips(config)


# ---------------------------------------------------------------- CSV points

cells = st.one_of(
    st.sampled_from(NUMERIC_TEXT + ["x", "y", "X", '"x"', "", " ", "#", "1e4", "10000.5"]),
    st.floats(allow_nan=True).map(repr),
    st.integers(-20_000, 20_000).map(str),
    st.text(alphabet=string.printable, max_size=6),
)
csv_text = st.builds(
    lambda rows, sep, end: end.join(sep.join(row) for row in rows),
    st.lists(st.lists(cells, min_size=0, max_size=4), max_size=12),
    st.sampled_from([",", ";", "\t", " ", ", "]),
    st.sampled_from(["\n", "\r\n", "\r"]),
)


@examples(200)
@given(st.one_of(csv_text.map(str.encode), st.binary(max_size=300)))
def test_csv_points(data):
    points = parse_or_refuse(parse_points, data)
    if points is not None:
        assert bounds.MIN_SAMPLES <= len(points) <= bounds.MAX_POINTS
        assert all(math.isfinite(v) and abs(v) <= bounds.MAX_ABS_COORD for p in points for v in p)
        target = Target(kind="points", points=points)  # what the app builds next
        assert len(target.points) == len(points)


def test_csv_with_a_very_long_field():
    # Python's csv module refuses fields over 131,072 characters with its own error type.
    for sep in (",", ";", "\t"):
        line = f"1{sep}" + "1" * 200_000
        assert parse_or_refuse(parse_points, f"x{sep}y\n{line}\n{line}\n".encode()) is None
        assert parse_or_refuse(parse_points, f'1{sep}2\n"{"a" * 140_000}{sep}3\n'.encode()) is None


# ---------------------------------------------------------------- checkpoints


@functools.cache
def checkpoint() -> tuple[bytes, dict]:
    """A real checkpoint, its bytes and its state, from a few steps of a tiny run.

    A cached function rather than a fixture: Hypothesis would print a fixture's value
    (tens of kilobytes here) with every failing example.
    """
    trainer = Trainer(GanConfig(n_samples=16, epochs=1))
    trainer.run(n_steps=3)
    state = checkpoint_state(trainer)
    return save(state), state


def save(state: dict) -> bytes:
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


@examples(100)
@given(st.binary(max_size=300))
def test_random_bytes_as_a_checkpoint(data):
    assert parse_or_refuse(load_checkpoint, data) is None  # never a checkpoint


@examples(80)
@given(data=st.data())
def test_damaged_checkpoints(data):
    """Cut short, or with bytes overwritten anywhere (zip headers, pickle, tensor data)."""
    raw, _ = checkpoint()
    damaged = bytearray(raw[: data.draw(st.integers(0, len(raw)), label="length")])
    for _ in range(data.draw(st.integers(0, 4), label="flips")):
        if damaged:
            at = data.draw(st.integers(0, len(damaged) - 1))
            damaged[at] = data.draw(st.integers(0, 255))
    trainer = parse_or_refuse(load_checkpoint, bytes(damaged))
    if trainer is not None:  # the damage missed what matters (or there was none)
        assert_valid_and_round_trips(trainer.config)


checkpoint_values = st.one_of(
    scalars,
    st.lists(st.floats(), max_size=3),
    st.just({}),
    st.builds(torch.tensor, st.lists(st.floats(width=32), max_size=4)),
    st.builds(torch.zeros, st.integers(0, 3), st.integers(0, 3)),
)


# A list where the engine expects a tensor makes torch warn about indexing before it fails.
@pytest.mark.filterwarnings("ignore:Using a non-tuple sequence:UserWarning")
@examples(120)
@given(data=st.data())
def test_checkpoints_with_wrong_contents(data):
    """Well-formed files of plain values (what weights_only allows) at the wrong places."""
    state = dict(checkpoint()[1])
    key = data.draw(st.sampled_from(sorted(state)))
    inner = state[key]
    if isinstance(inner, dict) and inner and data.draw(st.booleans()):
        # One level down: the engine's tensors, the history columns, the random states.
        inner = dict(inner)
        inner[data.draw(st.sampled_from(sorted(inner)))] = data.draw(checkpoint_values)
        state[key] = inner
    elif isinstance(inner, tuple | list) and inner and data.draw(st.booleans()):
        inner = list(inner)
        inner[data.draw(st.integers(0, len(inner) - 1))] = data.draw(checkpoint_values)
        state[key] = type(state[key])(inner)
    else:
        state[key] = data.draw(checkpoint_values)
    trainer = parse_or_refuse(load_checkpoint, save(state))
    if trainer is not None:
        assert_valid_and_round_trips(trainer.config)
        try:
            trainer.run(n_steps=2)  # what a loaded checkpoint is for: carrying on
        except Diverged:
            pass  # damaged weights may well give NaN losses: the trainer's own clear stop
