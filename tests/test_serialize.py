"""JSON and URL round trips, versioning, and refusal of unknown or mistyped keys."""

import json

import pytest

from gan_core.config import ConfigError, GanConfig, Target
from gan_core.serialize import from_dict, from_json, from_query, to_dict, to_json, to_query

CONFIGS = [
    GanConfig(),
    GanConfig(target=Target(kind="ring"), g_hidden=(16, 16), g_activation="relu", loss="hinge"),
    GanConfig(target=Target(mean=(-3.5, 0.25), cov=((2.0, 0.0), (0.0, 0.0))), seed=123456),
    GanConfig(
        target=Target(kind="points", points=((0.1, 0.2), (1.5, -2.25), (3.0, 3.0))), batch_size=3
    ),
    GanConfig(lr_d=1e-4, lr_g=0.123456789, beta1=0.5, ema=0.999, noise="uniform", noise_dim=5),
]


@pytest.mark.parametrize("config", CONFIGS)
def test_json_round_trip(config):
    assert from_json(to_json(config)) == config


@pytest.mark.parametrize("config", CONFIGS)
def test_query_round_trip(config):
    query = to_query(config)
    assert all(isinstance(v, str) for v in query.values())
    assert from_query(query) == config
    assert query["seed"] == str(config.seed)  # the seed travels with the link


def test_unknown_keys_are_refused():
    data = to_dict(GanConfig())
    data["learning_rate"] = 0.1
    with pytest.raises(ConfigError, match="learning_rate: unknown setting"):
        from_dict(data)
    with pytest.raises(ConfigError, match="target.colour"):
        from_dict({"target": {"kind": "gaussian", "colour": "red"}})
    with pytest.raises(ConfigError, match="zoom"):
        from_query({"zoom": "3"})


def test_wrong_types_and_versions():
    with pytest.raises(ConfigError, match="lr_d"):
        from_dict({"lr_d": "0.1"})
    with pytest.raises(ConfigError, match="version"):
        from_dict({"version": 99})
    with pytest.raises(ConfigError, match="not valid JSON"):
        from_json("{nope")
    with pytest.raises(ConfigError, match="JSON object"):
        from_json("[1, 2]")
    with pytest.raises(ConfigError, match="d_hidden"):
        from_dict({"d_hidden": 5})
    with pytest.raises(ConfigError, match="v"):
        from_query({"v": "2"})
    with pytest.raises(ConfigError, match="cov"):
        from_query({"cov": "1,2,3"})
    with pytest.raises(ConfigError, match="epochs"):
        from_query({"epochs": "ten"})
    with pytest.raises(ConfigError, match="points"):
        from_query({"target": "points", "points": "!!!not-base64"})


def test_partial_query_keeps_defaults():
    config = from_query({"lr_d": "0.02", "mean": "0,0"})
    assert config.lr_d == 0.02 and config.target.mean == (0.0, 0.0)
    assert config.lr_g == GanConfig().lr_g


def test_json_is_plain_and_versioned():
    data = json.loads(to_json(GanConfig()))
    assert data["version"] == 1 and data["target"]["cov"] == [[1.01, 1.95], [1.95, 4.25]]


POINTS = GanConfig(
    target=Target(kind="points", points=tuple((0.25 * i, 1.5 - 0.5 * i) for i in range(1, 201))),
    batch_size=8,
)


@pytest.mark.parametrize(
    "params",
    [
        {"points": "!!"},  # not base64 at all: a lenient decoder reads it as no data
        {"target": "gaussian", "points": ""},
        {"target": "points", "points": "!!"},
        {"target": "points", "points": to_query(POINTS)["points"] + "!"},
    ],
    ids=["garbage", "empty", "garbage-for-points", "trailing-garbage"],
)
def test_point_data_that_is_not_base64_is_damaged_not_empty(params):
    with pytest.raises(ConfigError, match=r"^points: the link's point data is damaged$"):
        from_query(params)


def test_point_data_cut_short_is_refused_not_read_as_fewer_points():
    text = to_query(POINTS)["points"]
    assert from_query({"target": "points", "points": text}).target == POINTS.target
    for end in (4, len(text) // 2 // 4 * 4, len(text) - 4):  # cut at whole base64 groups
        with pytest.raises(ConfigError, match=r"^points: the link's point data is damaged"):
            from_query({"target": "points", "points": text[:end]})


@pytest.mark.parametrize(
    ("params", "field", "typed"),
    [
        ({"lr_d": "1e400"}, "lr_d", "'1e400'"),
        ({"gp_weight": "9" * 400}, "gp_weight", "'99999"),
        ({"mean": "1e400,0"}, "mean", "'1e400,0'"),
        ({"cov": "1,0,0,-1e999"}, "cov", "'1,0,0,-1e999'"),
    ],
)
def test_a_number_too_large_for_a_float_is_named_as_typed_not_as_inf(params, field, typed):
    with pytest.raises(ConfigError) as caught:
        from_query(params)
    message = str(caught.value)
    assert message.startswith(f"{field}: {typed}"), message
    assert "too large a number: it must be finite" in message
    assert "inf" not in message


def test_infinity_spelt_out_is_still_refused_by_validation():
    for text in ("inf", "-Infinity"):
        with pytest.raises(ConfigError, match=r"^lr_d: -?inf is not allowed: it must be a finite"):
            from_query({"lr_d": text})
