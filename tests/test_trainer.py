"""Single runs: determinism, stepping, divergence, history bounds, checkpoints."""

import io
import math
import os
import pickle

import numpy as np
import pandas as pd
import pytest
import torch

from gan_core.config import LOSSES, ConfigError, GanConfig, Target
from gan_core.training.checkpoint import checkpoint_bytes, load_checkpoint
from gan_core.training.history import COLUMNS, History
from gan_core.training.trainer import Diverged, Trainer

SHORT = GanConfig(epochs=2)


def test_same_config_same_history_bit_for_bit():
    first, second = Trainer(SHORT), Trainer(SHORT)
    first.run()
    second.snapshot(n_points=300, field_resolution=10, bounds=(-3, 5, -3, 7), n_arrows=5)  # looking
    second.run()
    pd.testing.assert_frame_equal(
        first.history.to_frame(), second.history.to_frame(), check_exact=True
    )
    assert torch.equal(first.engine.G.flat, second.engine.G.flat)


def test_different_seeds_differ():
    a, b = Trainer(SHORT), Trainer(SHORT.replace(seed=1))
    a.run(), b.run()
    assert not torch.equal(a.engine.G.flat, b.engine.G.flat)


def test_step_parts_move_only_their_network():
    trainer = Trainer(SHORT)
    g_before, d_before = trainer.engine.G.flat.clone(), trainer.engine.D.flat.clone()
    trainer.step("d")
    assert torch.equal(trainer.engine.G.flat, g_before) and not torch.equal(
        trainer.engine.D.flat, d_before
    )
    d_after = trainer.engine.D.flat.clone()
    trainer.step("g")
    assert torch.equal(trainer.engine.D.flat, d_after) and not torch.equal(
        trainer.engine.G.flat, g_before
    )
    assert trainer.step_count == 1 and trainer.lone_updates == ""  # D then G: one iteration
    with pytest.raises(ValueError):
        trainer.step("x")


def test_lone_updates_are_half_steps_until_the_other_network_moves():
    trainer = Trainer(SHORT, log_every=1)
    trainer.step("d")
    assert trainer.step_count == 0 and trainer.lone_updates == "D"
    assert len(trainer.history) == 0  # the history logs whole iterations only
    assert trainer.snapshot(n_points=0).lone_updates == "D"
    trainer.step("d")
    assert trainer.step_count == 0 and trainer.lone_updates == "DD"
    trainer.step()  # a whole step leaves the lone updates waiting
    assert trainer.step_count == 1 and trainer.lone_updates == "DD"
    trainer.step("g")  # G joins one of the waiting D updates
    assert trainer.step_count == 2 and trainer.lone_updates == "D"
    assert trainer.history.to_frame()["step"].tolist() == [1, 2]


def test_history_logs_the_score_gap_and_keeps_the_seed_columns_first():
    trainer = Trainer(SHORT)
    trainer.run()
    frame = trainer.history.to_frame()
    assert list(frame.columns) == [*COLUMNS, "score_gap", "js_divergence"]
    assert frame["score_gap"].notna().all()
    reading = trainer.d_reading()
    assert reading == trainer.d_reading()  # a fixed batch: the same D reads the same
    assert math.isfinite(reading.score_gap)


def test_tutorial_history_has_the_seed_columns():
    trainer = Trainer(GanConfig())
    trainer.run()
    frame = trainer.history.to_frame()
    assert trainer.step_count == 2500 and frame["step"].iloc[-1] == 2500
    assert set(frame["epoch"]) == set(range(10))
    last_epoch = frame[frame["epoch"] == 9]
    assert abs(last_epoch["loss_d"].mean() - 2 * math.log(2)) < 0.05
    assert frame["frechet"].iloc[0] > frame["frechet"].iloc[-1]


@pytest.mark.parametrize("loss", LOSSES)
def test_every_loss_trains_and_reports(loss):
    config = GanConfig(loss=loss, batch_size=32, epochs=3, lr_d=0.005, lr_g=0.005, beta1=0.5)
    trainer = Trainer(config)
    trainer.run()
    snap = trainer.snapshot(n_points=50, field_resolution=8, bounds=(-3, 5, -3, 7), n_arrows=4)
    assert snap.field_values.shape == (8, 8) and snap.arrow_directions.shape == (4, 2)
    assert np.isfinite(snap.metrics["frechet"])


def test_divergence_names_quantity_and_step():
    trainer = Trainer(
        GanConfig(loss="least_squares", lr_d=10.0, lr_g=10.0, optimizer="sgd", beta1=0.9)
    )
    with pytest.raises(Diverged) as caught:
        trainer.run()
    assert caught.value.step >= 1
    assert "at step" in str(caught.value)
    assert caught.value.quantity in (
        "loss_d",
        "loss_g",
        "a generator parameter",
        "a discriminator parameter",
    )


def test_learning_rates_change_mid_run_and_keep_optimizer_state():
    trainer = Trainer(SHORT)
    trainer.run(50)
    moments = trainer.engine.opt_d.exp_avg.clone()
    trainer.set_learning_rates(lr_d=0.001)
    assert trainer.engine.opt_d.lr == 0.001 and trainer.config.lr_d == 0.001
    assert torch.equal(trainer.engine.opt_d.exp_avg, moments)
    with pytest.raises(ConfigError):
        trainer.set_learning_rates(lr_g=-1)


def test_history_stays_bounded_and_keeps_recent_rows():
    history = History(cap=100)
    for step in range(1, 10_001):
        history.append(
            step=step,
            epoch=0,
            loss_d=0,
            loss_g=0,
            acc_real=0,
            acc_fake=0,
            frechet=0,
            lr_d=0,
            lr_g=0,
        )
    frame = history.to_frame()
    assert len(frame) <= 100
    assert frame["step"].iloc[-1] == 10_000 and frame["step"].iloc[0] == 1
    assert frame["step"].is_monotonic_increasing
    assert (frame["step"].diff().iloc[-20:] == 1).all()  # recent rows at full resolution


def test_checkpoint_continues_exactly(tmp_path):
    straight = Trainer(SHORT)
    straight.run()
    resumed = Trainer(SHORT)
    resumed.run(137)
    restored = load_checkpoint(checkpoint_bytes(resumed))
    assert restored.step_count == 137
    restored.run()
    pd.testing.assert_frame_equal(
        straight.history.to_frame(), restored.history.to_frame(), check_exact=True
    )
    assert torch.equal(straight.engine.G.flat, restored.engine.G.flat)


class _Payload:
    def __reduce__(self):
        return (os.system, ("echo owned > /tmp/ganscope-pwned",))


def test_crafted_pickle_checkpoint_is_refused():
    buffer = io.BytesIO()
    torch.save({"format": "ganscope-checkpoint", "evil": _Payload()}, buffer)
    with pytest.raises(ConfigError, match="checkpoint"):
        load_checkpoint(buffer.getvalue())
    with pytest.raises(ConfigError, match="checkpoint"):
        load_checkpoint(pickle.dumps(_Payload()))
    with pytest.raises(ConfigError, match="checkpoint"):
        load_checkpoint(b"not a checkpoint at all")
    assert not os.path.exists("/tmp/ganscope-pwned")


def test_ema_generator_is_the_one_measured():
    trainer = Trainer(GanConfig(epochs=1, ema=0.99))
    trainer.run()
    engine = trainer.engine
    assert not torch.equal(engine.G_ema.flat, engine.G.flat)
    w, b = trainer.generator_affine_map()
    ema_w, ema_b = engine.G_ema.layers[0]
    np.testing.assert_allclose(w, ema_w[0].T.numpy())
    np.testing.assert_allclose(
        trainer.snapshot(n_points=0).gen_mean, ema_b[0, 0].numpy(), rtol=1e-6
    )


def test_ema_average_follows_its_definition():
    """After each G step: ema ← decay·ema + (1 − decay)·G."""
    trainer = Trainer(GanConfig(epochs=1, ema=0.9))
    before = trainer.engine.G_ema.flat.clone()
    trainer.step()
    expected = 0.9 * before + 0.1 * trainer.engine.G.flat
    torch.testing.assert_close(trainer.engine.G_ema.flat, expected)


def test_ring_target_reports_mode_coverage():
    config = GanConfig(target=Target(kind="ring"), batch_size=32, epochs=2)
    trainer = Trainer(config)
    trainer.run()
    metrics = trainer.snapshot(n_points=10, full_metrics=True).metrics
    assert metrics["n_modes"] == 8 and 0 <= metrics["modes_covered"] <= 8
    assert not metrics["frechet_exact"]


def test_exact_distance_agrees_with_samples():
    trainer = Trainer(GanConfig(epochs=3))
    trainer.run()
    snap = trainer.snapshot(n_points=0)
    samples = trainer.generator_samples(200_000)
    np.testing.assert_allclose(samples.mean(axis=0), snap.gen_mean, atol=0.02)
    np.testing.assert_allclose(np.cov(samples, rowvar=False), snap.gen_cov, atol=0.05)
