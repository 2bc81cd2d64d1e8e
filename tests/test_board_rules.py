"""The class board's rules (gan_core.classroom) on real runs, and the store's challenge row."""

from __future__ import annotations

import json
import math
import sqlite3

import pytest

from gan_core.classroom.challenge import MAX_STEP_LIMIT, Challenge
from gan_core.classroom.check import check
from gan_core.classroom.ranking import rank
from gan_core.config import ConfigError, GanConfig, Target
from gan_core.store.db import SCHEMA_VERSION
from gan_core.store.recorder import record_trainer
from gan_core.store.run_store import RunStore
from gan_core.training.trainer import Trainer

SMALL = GanConfig(n_samples=200, batch_size=20, epochs=3)  # 30 steps, the tutorial's target
OTHER_TARGET = Target(mean=(0.0, 0.0), cov=((1.0, 0.0), (0.0, 1.0)))
CHALLENGE = Challenge(title="Closest in 30 steps", target=SMALL.target, step_limit=30)


@pytest.fixture
def store(tmp_path):
    opened = RunStore(tmp_path)
    yield opened
    opened.close()


def trained(config: GanConfig, steps: int | None = None) -> Trainer:
    trainer = Trainer(config)
    trainer.run(steps)
    return trainer


@pytest.fixture(scope="module")
def trainers() -> dict[str, Trainer]:
    return {
        "good": trained(SMALL),
        "other seed": trained(SMALL.replace(seed=4, lr_d=0.02)),
        "other target": trained(SMALL.replace(target=OTHER_TARGET)),
        "too long": trained(SMALL.replace(epochs=6)),
        "hinge": trained(SMALL.replace(loss="hinge")),
        "deep G": trained(SMALL.replace(g_hidden=(4,))),
        "stopped": trained(SMALL, 12),
    }


def saved(store: RunStore, trainer: Trainer, status: str = "finished", name: str = "run") -> int:
    run_id = record_trainer(store, trainer, status, name=name)
    assert run_id is not None
    return run_id


# ---------------------------------------------------------------- a challenge's fields


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "  "}, "title: 0 characters: allowed 1 to 80 (not blank)"),
        ({"title": "x" * 81}, "title: 81 characters: allowed 1 to 80"),
        ({"title": "two\nlines"}, "title: 'two\\nlines' holds a control character or line break"),
        ({"title": 7}, "title: 7 is not text"),
        ({"step_limit": 0}, f"step limit: 0 is out of range: allowed 1 to {MAX_STEP_LIMIT:,}"),
        ({"step_limit": 10**7}, "step limit: 10,000,000 is out of range: allowed 1 to 1,000,000"),
        ({"step_limit": 2.5}, "step limit: 2.5 is not a whole number"),
        ({"target": Target(kind="ring")}, "target.kind: 'ring' is not allowed"),
        ({"loss": "magic"}, "loss: 'magic' is not one of any, cross_entropy"),
        ({"d_hidden": (5, 0)}, "D's layers: width 0 is not allowed: 1 to 256"),
        ({"d_hidden": (1, 1, 1, 1, 1)}, "D's layers: 5 hidden layers: at most 4 allowed"),
    ],
)
def test_a_bad_field_is_refused_naming_field_value_and_range(fields, message):
    values = {"title": "ok", "target": Target(), "step_limit": 100, **fields}
    with pytest.raises(ConfigError) as refused:
        Challenge(**values)
    assert str(refused.value).startswith(message)


def test_a_challenge_round_trips_through_its_stored_form():
    challenge = Challenge(
        title="Hinge, D 5-3",
        target=OTHER_TARGET,
        step_limit=2_500,
        loss="hinge",
        d_hidden=(5, 3),
    )
    assert Challenge.from_json(challenge.to_json()) == challenge
    no_layers = Challenge(title="no hidden D", target=Target(), d_hidden=())
    assert Challenge.from_json(no_layers.to_json()).d_hidden == ()


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        (b"{}", "challenge: b'{}' is not JSON text"),
        ("{not json", "challenge: not valid JSON"),
        ("[]", "challenge: not a challenge of format 1"),
        (json.dumps({"version": 1, "title": "t", "target": 3}), "challenge.target: 3 is not"),
        (
            CHALLENGE.to_json().replace('"step_limit": 30', '"step_limit": -4'),
            "step limit: -4 is out of range",
        ),
        (
            CHALLENGE.to_json().replace("[1.01, 1.95]", "[1.01, 9.0]"),
            "target.cov: [[1.01, 9.0], [1.95, 4.25]] is not symmetric",
        ),
        ("x" * 3000, "challenge: 3,000 characters: at most 2,000 allowed"),
    ],
)
def test_a_damaged_stored_challenge_is_refused_with_what_is_wrong(stored, message):
    with pytest.raises(ConfigError) as refused:
        Challenge.from_json(stored)
    assert str(refused.value).startswith(message)


# ---------------------------------------------------------------- the store's challenge row


def test_the_store_keeps_one_challenge_for_every_connection(store, tmp_path):
    assert store.challenge() is None
    store.set_challenge(CHALLENGE.to_json())
    other = RunStore(tmp_path)  # another session's, or another replica's, connection
    assert Challenge.from_json(other.challenge()) == CHALLENGE
    replaced = Challenge(title="Second", target=OTHER_TARGET)
    other.set_challenge(replaced.to_json())
    assert Challenge.from_json(store.challenge()) == replaced
    store.set_challenge(None)
    assert other.challenge() is None
    other.close()


def test_a_schema_2_store_is_upgraded_in_place_and_keeps_its_runs(tmp_path, trainers):
    store = RunStore(tmp_path)
    run_id = saved(store, trainers["good"])
    path = store.path
    store.close()
    with sqlite3.connect(path) as db:  # the file as schema 2 wrote it
        db.execute("DROP TABLE challenges")
        db.execute("PRAGMA user_version = 2")
    db.close()

    upgraded = RunStore(tmp_path)
    assert upgraded.list_runs().id.tolist() == [run_id]
    assert upgraded.challenge() is None
    upgraded.set_challenge(CHALLENGE.to_json())
    assert Challenge.from_json(upgraded.challenge()) == CHALLENGE
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    db.close()
    assert upgraded.integrity_check() == "ok"
    upgraded.close()


def test_published_runs_lists_only_published_ones_newest_first(store, trainers):
    ids = [saved(store, trainers["good"], name=f"run {i}") for i in range(4)]
    assert store.published_runs(10)[1] == 0
    for run_id in ids[:3]:
        store.set_flags(run_id, published=True)
    listed, count = store.published_runs(2)
    assert count == 3
    assert listed.id.tolist() == [ids[2], ids[1]]
    assert listed.frechet.iloc[0] == pytest.approx(trainers["good"].history.last()["frechet"])


# ---------------------------------------------------------------- checking runs


def test_a_finished_run_on_the_target_within_the_limit_counts(store, trainers):
    trainer = trainers["good"]
    verdict = check(store.get_run(saved(store, trainer, name="mine")), CHALLENGE)
    assert verdict.counts, verdict.reasons
    last = trainer.history.last()
    assert verdict.steps == 30 == last["step"]
    assert verdict.distance == pytest.approx(last["frechet"])
    assert verdict.label.endswith(" mine")


@pytest.mark.parametrize(
    ("run", "status", "reason"),
    [
        ("other target", "finished", "its target (mean (0, 0), cov [[1, 0], [0, 1]]) is not"),
        ("too long", "finished", "it was set up for 60 steps: the limit is 30"),
        ("stopped", "stopped", "it was stopped before its last step"),
        ("good", "diverged", "it diverged"),
        ("good", "running", "it is still training"),
        ("deep G", "finished", "its distance is not exact (its G has hidden layers"),
    ],
)
def test_a_run_that_breaks_a_rule_does_not_count_and_says_why(store, trainers, run, status, reason):
    verdict = check(store.get_run(saved(store, trainers[run], status)), CHALLENGE)
    assert not verdict.counts
    assert any(r.startswith(reason) for r in verdict.reasons), verdict.reasons


def test_the_loss_and_d_layers_are_checked_when_the_challenge_names_them(store, trainers):
    strict = Challenge(title="strict", target=SMALL.target, step_limit=30, loss="hinge")
    hinge = store.get_run(saved(store, trainers["hinge"]))
    plain = store.get_run(saved(store, trainers["good"]))
    assert check(hinge, strict).counts
    assert check(plain, strict).reasons == (
        "its loss is cross_entropy: the challenge asks for hinge",
    )
    shaped = Challenge(title="D 8-8", target=SMALL.target, step_limit=30, d_hidden=(8, 8))
    assert check(plain, shaped).reasons == ("its D has layers 5-3: the challenge asks for 8-8",)
    assert check(
        plain, Challenge(title="D 5-3", target=SMALL.target, step_limit=30, d_hidden=(5, 3))
    ).counts


def test_the_distance_is_read_at_or_before_the_limit(store, trainers):
    run = store.get_run(saved(store, trainers["too long"]))
    verdict = check(run, CHALLENGE)
    at_limit = run.history[run.history.step <= 30].iloc[-1]
    assert verdict.steps == at_limit.step <= 30
    assert verdict.distance == pytest.approx(at_limit.frechet)
    assert verdict.reasons == ("it was set up for 60 steps: the limit is 30",)


def test_a_run_with_no_distance_logged_by_the_limit_does_not_count(store, trainers):
    run_id = saved(store, trainers["good"])
    with sqlite3.connect(store.path) as db:  # NULL reads back as NaN: not measured
        db.execute("UPDATE history SET frechet = NULL WHERE run_id = ?", (run_id,))
    db.close()
    verdict = check(store.get_run(run_id), CHALLENGE)
    assert math.isnan(verdict.distance)
    assert verdict.reasons == ("no finite distance was logged by step 30",)


# ---------------------------------------------------------------- ranking


def test_runs_that_count_are_ranked_by_distance_the_others_follow(store, trainers):
    ids = {
        name: saved(store, trainers[name], name=name.replace(" ", "_"))
        for name in ("good", "other seed", "other target", "hinge")
    }
    verdicts = [check(store.get_run(i), CHALLENGE) for i in ids.values()]
    ranked = rank(verdicts)
    counting = [r for r in ranked if r.place is not None]
    distances = [r.verdict.distance for r in counting]
    assert len(counting) == 3  # the other target does not count
    assert distances == sorted(distances)
    assert [r.place for r in counting] == [1, 2, 3]
    assert ranked[-1].place is None and ranked[-1].verdict.run_id == ids["other target"]


def test_equal_distances_share_a_place_the_earlier_run_first(store, trainers):
    first = saved(store, trainers["good"], name="first")
    second = saved(store, trainers["good"], name="second")
    better = saved(store, trainers["other seed"], name="other")
    verdicts = [check(store.get_run(i), CHALLENGE) for i in (second, better, first)]
    ranked = rank(verdicts)
    places = {r.verdict.run_id: r.place for r in ranked}
    assert places[first] == places[second]
    order = [r.verdict.run_id for r in ranked]
    assert order.index(first) < order.index(second)
    assert sorted(places.values()) in ([1, 1, 3], [1, 2, 2])
