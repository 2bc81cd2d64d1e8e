"""A run's timeline: bounded and evenly thinned, encoded safely, and replayed exactly."""

import numpy as np
import pytest

from gan_core.config import GanConfig
from gan_core.training.timeline import (
    MAGIC,
    DamagedTimeline,
    Replayer,
    Timeline,
    TimelineFrame,
    decode_timeline,
    encode_timeline,
)
from gan_core.training.trainer import Trainer

SHORT = GanConfig(epochs=2)  # 500 steps
BOUNDS = (-3.0, 5.0, -3.0, 7.0)


def _frame(step: int, size: int = 3) -> TimelineFrame:
    values = np.full(size, step, dtype=np.float32)
    return TimelineFrame(step, 0.5, 0.7, 1e-3, 2e-3, values, values + 1)


def test_a_full_timeline_drops_every_other_frame_and_keeps_first_and_last():
    timeline = Timeline(max_frames=10)
    for step in range(1, 101):
        timeline.offer(_frame(step))
        assert len(timeline) <= 10
    steps = [frame.step for frame in timeline.frames()]
    assert steps[0] == 1 and steps[-1] == 100
    assert len(steps) >= 5  # thinned, not emptied
    gaps = np.diff(steps[:-1])  # the kept frames are evenly spaced; the latest may be closer
    assert len(set(gaps.tolist())) == 1 and steps == sorted(steps)


def test_bigger_networks_keep_fewer_frames_within_the_byte_cap():
    timeline = Timeline(max_frames=300, max_bytes=10_000)
    for step in range(1, 1001):
        timeline.offer(_frame(step, size=500))  # 4,000 bytes a frame
    # 10,000 bytes hold two such frames: the first and the latest
    assert [f.step for f in timeline.frames()] == [1, 1000]


def test_the_trainer_keeps_a_frame_at_logged_steps_within_the_cap():
    trainer = Trainer(GanConfig(epochs=8), log_every=1)  # 2,000 logged rows
    trainer.run()
    frames = trainer.timeline.frames()
    logged = set(trainer.history.to_frame()["step"].tolist())
    assert len(frames) <= 300
    assert frames[0].step == 1 and frames[-1].step == 2000
    assert {f.step for f in frames} <= logged


def test_encoded_frames_read_back_bit_for_bit():
    trainer = Trainer(SHORT)
    trainer.run()
    frames = trainer.timeline.frames()
    back = decode_timeline(encode_timeline(frames))
    assert len(back) == len(frames)
    for a, b in zip(frames, back, strict=True):
        assert (a.step, a.lr_d, a.lr_g) == (b.step, b.lr_d, b.lr_g)
        assert np.array_equal(a.generator, b.generator)
        assert np.array_equal(a.discriminator, b.discriminator)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-1],  # cut short
        lambda data: data + b"\0",  # grown
        lambda data: b"X" + data[1:],  # not ours
        lambda data: data.replace(b'"frames": ', b'"frames": 9'),  # header lies
        lambda data: MAGIC + b"\xff\xff\xff\xff",  # a header length past the end
        lambda data: data[: len(MAGIC) + 4] + b"{not json" + data[len(MAGIC) + 13 :],
    ],
)
def test_damaged_bytes_are_refused_with_a_reason(damage):
    data = encode_timeline([_frame(1), _frame(2)])
    with pytest.raises(DamagedTimeline):
        decode_timeline(damage(data))


def test_non_finite_weights_and_falling_steps_are_damage():
    nan = TimelineFrame(1, 0.0, 0.0, 1e-3, 1e-3, np.array([np.nan], np.float32), np.ones(1))
    with pytest.raises(DamagedTimeline, match="finite"):
        decode_timeline(encode_timeline([nan]))
    with pytest.raises(DamagedTimeline, match="rising"):
        decode_timeline(encode_timeline([_frame(5), _frame(2)]))


def test_a_replayed_frame_is_the_snapshot_taken_live_at_that_step():
    config = SHORT.replace(ema=0.9)  # the shown generator is the moving average
    trainer = Trainer(config)
    live = {}
    while not trainer.finished:
        trainer.step()
        latest = trainer.timeline.latest
        if latest is not None and latest.step == trainer.step_count:  # a row was logged
            live.setdefault(trainer.step_count, trainer.snapshot(200, 12, BOUNDS, 10))
    replayer = Replayer(config, trainer.timeline.frames(), 200, 12, BOUNDS, 10)
    assert set(replayer.steps) <= set(live) and replayer.steps[-1] == config.total_steps
    for index in (0, len(replayer.frames) // 2, -1):
        replayed = replayer.snapshot(index)
        taken = live[replayer.steps[index]]
        assert replayed.step == taken.step and replayed.epoch == taken.epoch
        for key, value in taken.generator_parameters.items():
            assert np.array_equal(replayed.generator_parameters[key], value)  # bit-identical
        assert np.array_equal(replayed.field_values, taken.field_values)
        assert np.array_equal(replayed.gen_mean, taken.gen_mean)
        assert np.array_equal(replayed.gen_cov, taken.gen_cov)
        assert replayed.loss_d == taken.loss_d and replayed.loss_g == taken.loss_g


def test_replayed_points_come_from_the_same_noise_at_every_frame():
    trainer = Trainer(SHORT)
    trainer.run()
    replayer = Replayer(SHORT, trainer.timeline.frames(), 100, 0, None, 0)
    first, again = replayer.snapshot(0), replayer.snapshot(0)
    assert np.array_equal(first.fake, again.fake) and np.array_equal(first.real, again.real)
    assert np.array_equal(first.real, replayer.snapshot(-1).real)
    assert not np.array_equal(first.fake, replayer.snapshot(-1).fake)  # G moved


def test_weights_of_other_networks_are_refused():
    trainer = Trainer(SHORT)
    trainer.run(10)
    with pytest.raises(DamagedTimeline, match="do not fit"):
        Replayer(SHORT.replace(d_hidden=(4,)), trainer.timeline.frames())
