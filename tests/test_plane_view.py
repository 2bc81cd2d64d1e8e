"""The plane's bounds and arrow scale (training/plane_view.py): they hold the target and the
generator, keep still for small moves, grow at once, shrink slowly, take the plot's shape,
and D's grid covers them; on real snapshots of the presets that teach by G's start far away."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gan_core.config import GanConfig, Target
from gan_core.presets import PRESETS
from gan_core.targets import plot_bounds
from gan_core.training import plane_view
from gan_core.training.trainer import Trainer

TARGET = (-1.0, 3.0, -2.0, 6.0)  # a target's own box, as plot_bounds gives it


def box(x0: float, x1: float, y0: float, y1: float) -> tuple[np.ndarray, np.ndarray]:
    return np.array([x0, y0]), np.array([x1, y1])


def holds(bounds, low, high) -> bool:
    x0, x1, y0, y1 = bounds
    return x0 <= low[0] and high[0] <= x1 and y0 <= low[1] and high[1] <= y1


def width(bounds) -> float:
    return bounds[1] - bounds[0]


def inside_share(bounds, points) -> float:
    x0, x1, y0, y1 = bounds
    x, y = points[:, 0], points[:, 1]
    return float(np.mean((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)))


def test_fresh_bounds_hold_the_box_in_the_plot_shape_with_a_margin():
    low, high = box(-1, 3, -2, 6)
    bounds = plane_view.follow(None, low, high)
    assert holds(bounds, low, high)
    height = bounds[3] - bounds[2]
    assert width(bounds) == pytest.approx(plane_view.ASPECT * height)  # the plot's shape
    needed = (1 + plane_view.MARGIN) * max(8, 4 / plane_view.ASPECT)  # with its margin
    assert needed <= height <= plane_view.RUNG * needed * 1.01


def test_small_moves_keep_the_bounds_and_leaving_grows_them_at_once():
    low, high = box(-1, 3, -2, 6)
    bounds = plane_view.follow(None, low, high)
    rng = np.random.default_rng(0)
    for _ in range(50):
        wobble = rng.uniform(-0.2, 0.2, size=2)
        assert plane_view.follow(bounds, low + wobble, high + wobble) == bounds
    gone = high + np.array([10.0, 0.0])  # the points run off to the right
    grown = plane_view.follow(bounds, low, gone)
    assert holds(grown, low, gone) and width(grown) > width(bounds)


def test_too_large_bounds_shrink_one_rung_a_frame_then_settle():
    low, high = box(-1, 1, -1, 1)
    bounds = plane_view.follow(None, *box(-40, 40, -40, 40))
    widths = [width(bounds)]
    for _ in range(40):
        bounds = plane_view.follow(bounds, low, high)
        assert holds(bounds, low, high)
        widths.append(width(bounds))
    steps = np.array(widths[1:]) / np.array(widths[:-1])
    assert steps.min() >= 1 / plane_view.RUNG - 1e-9  # never more than a rung at once
    assert widths[-1] == widths[-2] < widths[0] / 10  # then still, close to what is needed
    # The width a 2 × 2 box needs in bounds of the plot's shape, with its margin.
    needed = 2 * (1 + plane_view.MARGIN) * max(plane_view.ASPECT, 1.0)
    assert widths[-1] <= plane_view.SHRINK_BEYOND * plane_view.RUNG**2 * needed


def test_bounds_from_elsewhere_are_refitted_to_the_plot_shape():
    low, high = box(-1, 3, -2, 6)
    bounds = plane_view.follow(TARGET, low, high)
    assert width(bounds) == pytest.approx(plane_view.ASPECT * (bounds[3] - bounds[2]))


def test_stray_and_diverged_points_do_not_blow_the_bounds_up():
    fake = np.random.default_rng(1).normal(size=(500, 2))
    fake[:3] = [1e12, 0.0]  # a few strays
    fake[3] = [np.nan, np.inf]
    low, high = plane_view.content_box(TARGET, fake, np.zeros(2), np.eye(2))
    assert high[0] < 10
    flung = np.full((500, 2), 1e30)  # a diverged G
    low, high = plane_view.content_box(TARGET, flung, np.full(2, 1e30), np.eye(2))
    assert np.all(np.isfinite(high)) and high[0] <= 2 + plane_view.MAX_ZOOM_OUT * 2


def test_content_holds_the_target_and_g_two_sigma_ellipse():
    cov = np.array([[4.0, 1.0], [1.0, 1.0]])
    low, high = plane_view.content_box(TARGET, np.empty((0, 2)), np.array([10.0, 0.0]), cov)
    assert holds((low[0], high[0], low[1], high[1]), *box(*TARGET))
    np.testing.assert_allclose(high, [10 + 2 * 2, TARGET[3]])  # mean + 2·√Σ₁₁ on x
    np.testing.assert_allclose(low, [TARGET[0], -2.0])


def test_field_grid_covers_the_bounds_with_room_to_spare():
    bounds = (-2.0, 6.0, -1.0, 7.0)
    x0, x1, y0, y1 = plane_view.field_bounds(bounds)
    assert x0 < -2 and x1 > 6 and y0 < -1 and y1 > 7
    assert (x1 - x0) == pytest.approx(plane_view.FIELD_OVERSCAN * 8)


@pytest.mark.parametrize(
    "value, nice", [(0.9, 1.0), (1.6, 2.0), (3.9, 5.0), (6.5, 5.0), (8.0, 10.0), (0.031, 0.02)]
)
def test_arrow_scale_is_a_round_number(value, nice):
    assert plane_view.nice_number(value) == pytest.approx(nice)


def test_arrow_scale_depends_on_the_target_alone():
    small = plane_view.arrow_scale(plot_bounds(Target(cov=((0.25, 0.0), (0.0, 0.25)))))
    large = plane_view.arrow_scale(plot_bounds(Target(cov=((25.0, 0.0), (0.0, 25.0)))))
    assert small < large
    assert math.log10(large / small) == pytest.approx(2, abs=0.5)  # s² grows 100 times


@pytest.mark.parametrize("preset", ["minimax", "least_squares"])
def test_far_start_presets_show_g_and_target_at_step_zero(preset):
    config = PRESETS[preset].config
    snap = Trainer(config).snapshot(500, 20, None, 20)
    assert inside_share(snap.bounds, snap.fake) == 1.0
    assert inside_share(snap.bounds, snap.real) > 0.99
    x0, x1, y0, y1 = snap.bounds
    assert snap.field_x.min() <= x0 and snap.field_x.max() >= x1
    assert snap.field_y.min() <= y0 and snap.field_y.max() >= y1


def test_a_run_keeps_its_bounds_and_arrow_scale_while_g_stays_inside():
    trainer = Trainer(GanConfig(epochs=1))
    first = trainer.snapshot(300, 10, None, 10)
    shown, scales = [first.bounds], {first.arrow_scale}
    for _ in range(5):
        trainer.run(10)
        snap = trainer.snapshot(300, 10, shown[-1], 10)
        assert inside_share(snap.bounds, snap.fake) >= 0.98
        shown.append(snap.bounds)
        scales.add(snap.arrow_scale)
    assert len(set(shown)) == 1 and len(scales) == 1
