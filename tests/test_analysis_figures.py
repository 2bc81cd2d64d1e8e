"""The new views as figures: G's warp and D*'s 0.5 line on the plane, the JSD beside the
distance, and the marching squares that draw the line."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gan_core.config import GanConfig, Target
from gan_core.figures import distance_figure, plane_figure
from gan_core.figures.layers import contour_segments
from gan_core.figures.plane import LAYERS
from gan_core.targets import plot_bounds
from gan_core.training.trainer import Trainer


@pytest.fixture(scope="module")
def seed_run():
    trainer = Trainer(GanConfig(epochs=1))
    trainer.run()
    bounds = plot_bounds(trainer.config.target)
    return trainer, bounds, trainer.snapshot(200, 40, bounds, 20)


def named(figure, name):
    return [trace for trace in figure.data if trace.name == name]


def points_of(trace) -> np.ndarray:
    # Gaps between the lines are NaN, as plotly.js gets them.
    return np.stack([np.asarray(trace.x, dtype=float), np.asarray(trace.y, dtype=float)], axis=1)


def test_the_contour_of_a_circular_field_lies_on_the_circle():
    xs = ys = np.linspace(-2, 2, 81)
    gx, gy = np.meshgrid(xs, ys)
    segments = contour_segments(xs, ys, gx**2 + gy**2, 1.0)
    assert len(segments) > 40
    radii = np.linalg.norm(segments.reshape(-1, 2), axis=1)
    np.testing.assert_allclose(radii, 1.0, atol=2e-3)  # linear interpolation on a 0.05 grid
    assert not len(contour_segments(xs, ys, gx**2 + gy**2, 100.0))  # no line in view


def test_the_default_plane_has_no_theory_layers(seed_run):
    _, bounds, snap = seed_run
    figure = plane_figure(snap, bounds)
    assert not named(figure, "G's warp of the noise grid") and not named(figure, "best D* = 0.5")


def test_the_warp_layer_draws_every_mapped_grid_line(seed_run):
    _, bounds, snap = seed_run
    traces = named(plane_figure(snap, bounds, layers={"warp"}), "G's warp of the noise grid")
    assert len(traces) == 2 and [t.showlegend for t in traces] == [True, False]
    drawn = np.concatenate([points_of(t) for t in traces])
    finite = drawn[np.isfinite(drawn[:, 0])]
    np.testing.assert_allclose(finite, snap.warp_lines.reshape(-1, 2), atol=1e-4)
    # Under the points, which are drawn after it.
    names = [t.name for t in plane_figure(snap, bounds, layers={"warp"}).data]
    assert names.index("G's warp of the noise grid") < names.index("real")


def test_the_optimal_layer_draws_d_stars_half_line_over_the_points(seed_run):
    _, bounds, snap = seed_run
    figure = plane_figure(snap, bounds, layers=LAYERS)
    (line,) = named(figure, "best D* = 0.5")
    assert [t.name for t in figure.data][-1] == "best D* = 0.5"
    points = points_of(line)
    points = points[np.isfinite(points[:, 0])]
    # Each point is where the target's and G's densities are equal: D* = 1/2 there.
    from gan_core.analysis.optimal_discriminator import optimal_discriminator

    values = optimal_discriminator(
        points, snap.target_mean, snap.target_cov, snap.gen_mean, snap.gen_cov
    )
    assert len(points) and np.abs(values - 0.5).max() < 0.05


def test_the_distance_chart_draws_the_jsd_on_a_second_axis(seed_run):
    trainer, _, _ = seed_run
    history = trainer.history.to_frame()
    figure = distance_figure(history, exact=True)
    (jsd,) = [t for t in figure.data if t.yaxis == "y2"]
    np.testing.assert_allclose(jsd.y, history["js_divergence"], rtol=1e-6)
    assert figure.layout.yaxis2.range[1] >= math.log(2)
    assert figure.layout.showlegend


def test_no_jsd_trace_where_it_is_not_exact():
    trainer = Trainer(GanConfig(epochs=1, target=Target(kind="ring")))
    trainer.run(n_steps=50)
    figure = distance_figure(trainer.history.to_frame(), exact=False)
    assert len(figure.data) == 1 and "yaxis2" not in figure.layout.to_plotly_json()
