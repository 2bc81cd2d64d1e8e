"""Tests for gan_core.figures on snapshots and histories of real training runs."""

import base64
import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest

from gan_core.config import GanConfig, Target
from gan_core.figures import (
    accuracy_figure,
    covariance_ellipse,
    d_signals_figure,
    distance_figure,
    downsample,
    loss_figure,
    plane_figure,
    runs_distance_figure,
    runs_loss_figure,
    style,
    sweep_heatmap,
)
from gan_core.figures import arrows as arrow_layer
from gan_core.figures.plane import LAYERS, plane_spec, step_text
from gan_core.figures.plotly_json import figure_json
from gan_core.figures.signals import SMOOTHING_ROWS, smoothed
from gan_core.figures.style import RUN_COLOURS
from gan_core.metrics import MODE_STD
from gan_core.targets import mixture_modes
from gan_core.training.history import History
from gan_core.training.trainer import Trainer

EQUILIBRIUM = 2 * math.log(2)


@pytest.fixture(scope="module")
def seed_run():
    """The seed's setup (affine G, Gaussian target, cross-entropy) after one epoch."""
    trainer = Trainer(GanConfig(epochs=1))
    trainer.run()
    snap = trainer.snapshot(500, 40, None, 40)
    return trainer, snap.bounds, snap


@pytest.fixture(scope="module")
def ring_run():
    """A non-affine G on the 8-mode ring with a Wasserstein critic: fitted moments, raw score."""
    config = GanConfig(
        epochs=1,
        target=Target(kind="ring"),
        n_samples=200,
        batch_size=20,
        g_hidden=(16,),
        d_hidden=(16,),
        loss="wasserstein_gp",
    )
    trainer = Trainer(config)
    trainer.run()
    snap = trainer.snapshot(300, 30, None, 25)
    return trainer, snap.bounds, snap


def named(figure, prefix):
    return [t for t in figure.data if (t.name or "").startswith(prefix)]


def rings(trace):
    """Split a trace's points at its gaps (NaN, which plotly.js draws as a break) into
    (k, 2) arrays."""
    xs, ys = np.asarray(trace.x, dtype=float), np.asarray(trace.y, dtype=float)
    assert np.array_equal(np.isnan(xs), np.isnan(ys))  # a gap in both coordinates at once
    groups, current = [], []
    for x, y in zip(xs, ys):
        if np.isnan(x):
            groups.append(np.array(current, dtype=float))
            current = []
        else:
            current.append((x, y))
    if current:
        groups.append(np.array(current, dtype=float))
    return groups


def mahalanobis_sq(points, mean, cov):
    d = points - mean
    return np.einsum("ni,ij,nj->n", d, np.linalg.inv(cov), d)


# --- the plane -------------------------------------------------------------------------------


def test_plane_has_real_and_fake_points(seed_run):
    _, bounds, snap = seed_run
    figure = plane_figure(snap, bounds)
    (real,) = named(figure, "real")
    (fake,) = named(figure, "fake")
    assert real.type == fake.type == "scattergl"
    assert len(real.x) == len(real.y) == len(snap.real) == 500
    assert len(fake.x) == len(snap.fake) == 500
    np.testing.assert_allclose(real.x, snap.real[:, 0], rtol=1e-6)
    np.testing.assert_allclose(fake.y, snap.fake[:, 1], rtol=1e-6)
    assert real.marker.color != fake.marker.color
    assert figure.layout.font.size >= 14


def test_plane_bounds_points_per_side(seed_run):
    _, bounds, snap = seed_run
    figure = plane_figure(snap, bounds, max_points=120)
    assert len(named(figure, "real")[0].x) == 120
    assert len(named(figure, "fake")[0].x) == 120


def test_heatmap_only_with_field_layer(seed_run):
    _, bounds, snap = seed_run
    with_field = plane_figure(snap, bounds)
    (heatmap,) = [t for t in with_field.data if t.type == "heatmap"]
    assert with_field.data[0] is heatmap  # drawn underneath everything
    assert np.shape(heatmap.z) == (40, 40)
    assert (heatmap.zmin, heatmap.zmid, heatmap.zmax) == (0.0, 0.5, 1.0)
    assert heatmap.colorbar.title.text == "D(x)"
    without = plane_figure(snap, bounds, layers={"ellipses", "arrows"})
    assert not [t for t in without.data if t.type == "heatmap"]


def test_critic_field_is_labelled_as_a_score(ring_run):
    _, bounds, snap = ring_run
    assert not snap.field_is_probability
    (heatmap,) = [t for t in plane_figure(snap, bounds).data if t.type == "heatmap"]
    assert heatmap.colorbar.title.text == "critic score"
    assert heatmap.zmid is None


def test_plane_without_field_in_snapshot(seed_run):
    trainer, bounds, _ = seed_run
    snap = trainer.snapshot(50, 0, bounds, 0)  # no field, no arrows taken
    figure = plane_figure(snap, bounds)
    assert not [t for t in figure.data if t.type == "heatmap"]
    assert not named(figure, "G's push")


def test_ellipses_lie_on_n_sigma_contours(seed_run):
    _, bounds, snap = seed_run
    figure = plane_figure(snap, bounds)
    (target,) = named(figure, "target")
    (generator,) = named(figure, "generator")
    # Each in its side's colour, and told apart by dash as well as by hue.
    assert target.line.color == style.REAL and generator.line.color == style.FAKE
    assert target.line.dash == "solid" and generator.line.dash == "dash"
    assert "target" in target.name and "Gaussian" in generator.name
    assert snap.gen_moments_exact and "exact" in generator.name
    for trace, mean, cov in (
        (target, snap.target_mean, snap.target_cov),
        (generator, snap.gen_mean, snap.gen_cov),
    ):
        one, two = rings(trace)
        np.testing.assert_allclose(mahalanobis_sq(one, mean, cov), 1.0, rtol=1e-6)
        np.testing.assert_allclose(mahalanobis_sq(two, mean, cov), 4.0, rtol=1e-6)


def test_fitted_generator_is_named_fitted(ring_run):
    _, bounds, snap = ring_run
    assert not snap.gen_moments_exact
    (generator,) = named(plane_figure(snap, bounds), "generator")
    assert "fitted Gaussian" in generator.name


def test_a_mixture_target_shows_each_mode_not_one_fitted_ellipse(ring_run):
    trainer, bounds, snap = ring_run
    modes = mixture_modes(trainer.config.target)
    figure = plane_figure(snap, bounds, modes=modes)
    (target,) = named(figure, "target")  # no ellipse fitted round all eight
    assert "modes" in target.name and target.line.color == style.REAL
    circles = rings(target)
    assert len(circles) == 2 * len(modes) == 16  # 1σ and 2σ for each mode
    for k, centre in enumerate(modes):
        for n_sigma, circle in zip((1, 2), circles[2 * k : 2 * k + 2]):
            radii = np.linalg.norm(circle - centre, axis=1)
            np.testing.assert_allclose(radii, n_sigma * MODE_STD, atol=2e-4)


def test_axes_fixed_to_bounds_with_equal_aspect(seed_run):
    _, bounds, snap = seed_run
    figure = plane_figure(snap, bounds, uirevision="run-7")
    x0, x1, y0, y1 = bounds
    assert tuple(figure.layout.xaxis.range) == pytest.approx((x0, x1))
    assert tuple(figure.layout.yaxis.range) == pytest.approx((y0, y1))
    assert figure.layout.xaxis.autorange is False and figure.layout.yaxis.autorange is False
    assert figure.layout.yaxis.scaleanchor == "x" and figure.layout.yaxis.scaleratio == 1
    # A plot that is not square pads the shorter range instead of leaving blank bands.
    assert figure.layout.xaxis.constrain == figure.layout.yaxis.constrain == "range"
    assert figure.layout.uirevision.startswith("run-7")  # then the bounds


def arrows_drawn(figure) -> tuple[np.ndarray, np.ndarray]:
    """Bases and shafts (tip − base) of the arrows a figure draws (an arrow of length 0,
    which keeps the legend entry when none is long enough to see, draws nothing)."""
    (arrows,) = named(figure, "G's push")
    groups = rings(arrows)
    bases = np.array([g[0] for g in groups]).reshape(-1, 2)
    tips = np.array([g[1] for g in groups]).reshape(-1, 2)
    drawn = np.linalg.norm(tips - bases, axis=1) > 0
    return bases[drawn], (tips - bases)[drawn]


def test_arrows_one_trace_push_times_the_run_scale(seed_run):
    _, bounds, snap = seed_run
    figure = plane_figure(snap, bounds)
    (arrows,) = named(figure, "G's push")
    assert f"arrow = push × {snap.arrow_scale:g}" in arrows.name  # what a length means
    assert arrows.line.width < 2 and arrows.opacity < 1  # thin and pale: fakes stay visible
    shafts = snap.arrow_scale * snap.arrow_directions
    seen = np.linalg.norm(shafts, axis=1) >= arrow_layer.SHORTEST_FRACTION * (bounds[1] - bounds[0])
    assert seen.any()
    bases, drawn = arrows_drawn(figure)
    assert len(bases) == seen.sum() <= len(snap.arrow_points) == 40
    np.testing.assert_allclose(bases, snap.arrow_points[seen], atol=1e-3)
    np.testing.assert_allclose(drawn, shafts[seen], atol=1e-3)


def test_twice_the_push_draws_twice_the_arrow(seed_run):
    _, bounds, snap = seed_run
    bases, once = arrows_drawn(plane_figure(snap, bounds))
    doubled = dataclasses.replace(snap, arrow_directions=2 * snap.arrow_directions)
    twice_bases, twice_shafts = arrows_drawn(plane_figure(doubled, bounds))
    twice = dict(zip(map(tuple, twice_bases), twice_shafts))
    long_enough = np.linalg.norm(once, axis=1) > 0.05  # well above rounding
    assert long_enough.sum() >= 5
    for base, shaft in zip(bases[long_enough], once[long_enough]):
        # Every arrow drawn once is drawn again from the same point, twice as long.
        np.testing.assert_allclose(twice[tuple(base)], 2 * shaft, rtol=1e-3, atol=2e-4)


def test_arrow_scale_is_the_same_in_every_frame_of_a_run():
    trainer = Trainer(GanConfig(epochs=1))
    frames = [trainer.snapshot(200, 0, None, 30)]
    for _ in range(3):
        trainer.run(60)
        frames.append(trainer.snapshot(200, 0, frames[-1].bounds, 30))
    assert len({f.arrow_scale for f in frames}) == 1
    for frame in frames:
        shafts = frame.arrow_scale * frame.arrow_directions
        width = frame.bounds[1] - frame.bounds[0]
        seen = np.linalg.norm(shafts, axis=1) >= arrow_layer.SHORTEST_FRACTION * width
        _, drawn = arrows_drawn(plane_figure(frame, frame.bounds))
        np.testing.assert_allclose(drawn, shafts[seen], atol=2e-3)


def test_arrows_too_short_to_see_are_not_drawn(seed_run):
    _, bounds, snap = seed_run
    still = dataclasses.replace(snap, arrow_directions=np.zeros_like(snap.arrow_directions))
    figure = plane_figure(still, bounds)
    (arrows,) = named(figure, "G's push")
    # Nothing drawn: one arrow of length 0 (its legend entry stays, and so does the plot).
    xs, ys = (np.asarray(v, dtype=float) for v in (arrows.x, arrows.y))
    assert np.unique(xs[~np.isnan(xs)]).size == 1 and np.unique(ys[~np.isnan(ys)]).size == 1
    # Said in a note on the plane; the legend entry reads as it always does.
    assert arrows.name == f"G's push: arrow = push × {snap.arrow_scale:g}"
    assert [a.text for a in figure.layout.annotations] == [
        "G's push: every arrow is too short to see"
    ]
    assert not plane_figure(snap, bounds).layout.annotations


def test_arrows_absent_when_layer_off(seed_run):
    _, bounds, snap = seed_run
    figure = plane_figure(snap, bounds, layers={"field"})
    assert not named(figure, "G's push")
    assert not named(figure, "target") and not named(figure, "generator")
    assert [t.name for t in figure.data if t.type != "heatmap"] == ["real", "fake"]


def test_mode_centres_for_mixtures(ring_run):
    trainer, bounds, snap = ring_run
    modes = mixture_modes(trainer.config.target)
    (crosses,) = named(plane_figure(snap, bounds, modes=modes), "mode centres")
    assert len(crosses.x) == 8 and crosses.marker.symbol == "x"
    assert not named(plane_figure(snap, bounds), "mode centres")


def test_unknown_layer_is_refused(seed_run):
    _, bounds, snap = seed_run
    with pytest.raises(ValueError, match="heatmap"):
        plane_figure(snap, bounds, layers={"heatmap"})


def test_polylines_go_to_plotly_js_as_typed_arrays_with_nan_gaps(seed_run):
    """Every line overlay (ellipses, arrows, warp grid, D*'s line) reaches plotly.js as a
    packed float array whose gaps are NaN in both coordinates at once, and no list with
    nulls is left in the frame (tests/browser/test_gaps_browser.py: drawn the same)."""
    trainer, bounds, _ = seed_run
    snap = trainer.snapshot(300, 30, bounds, 30)
    text = figure_json(plane_spec(snap, bounds, layers=LAYERS))
    assert "null" not in text
    lines = [t for t in json.loads(text)["data"] if t.get("mode") == "lines"]
    names = {t.get("name", "") for t in lines}
    for prefix in ("target", "generator", "G's push", "G's warp", "best D*"):
        assert any(name.startswith(prefix) for name in names), prefix
    for trace in lines:
        xs, ys = (decoded(trace[axis]) for axis in ("x", "y"))
        assert np.isnan(xs).any() and np.array_equal(np.isnan(xs), np.isnan(ys))
        assert np.isfinite(xs[0]) and np.isnan(xs[-1])  # each line ends in its gap


def decoded(array: dict) -> np.ndarray:
    shape = tuple(int(n) for n in array["shape"].split(",") if n) if "shape" in array else -1
    raw = np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return raw.reshape(shape).astype(float)


def test_frame_serialises_within_budget(seed_run):
    trainer, bounds, _ = seed_run
    # A generous frame: 1,000 points a side, a 60×60 field, 100 arrows, every layer.
    snap = trainer.snapshot(1000, 60, bounds, 100)
    assert snap.bounds == bounds
    figure = plane_figure(snap, bounds, modes=np.zeros((25, 2)))
    payload = figure.to_json()
    assert len(payload) < 300_000, len(payload)


# --- curves over steps -----------------------------------------------------------------------


def test_loss_figure_with_equilibrium_line(seed_run):
    trainer, _, _ = seed_run
    history = trainer.history.to_frame()
    figure = loss_figure(history, EQUILIBRIUM)
    assert [t.name for t in figure.data] == ["D loss", "G loss"]
    np.testing.assert_allclose(figure.data[0].y, history["loss_d"], rtol=1e-6)
    (line,) = figure.layout.shapes
    assert line.y0 == line.y1 == pytest.approx(EQUILIBRIUM)
    assert line.line.dash == "dash"
    assert "equilibrium" in figure.layout.annotations[0].text
    assert not loss_figure(history).layout.shapes


def test_accuracy_figure(seed_run):
    trainer, _, _ = seed_run
    history = trainer.history.to_frame()
    figure = accuracy_figure(history)
    names = [t.name for t in figure.data]
    assert names == ["on real (raw)", "on fake (raw)", "on real", "on fake"]
    raw_real, _, smooth_real, _ = figure.data
    # The raw values faint behind, out of the legend; the smoothed ones on top.
    assert raw_real.opacity < 0.5 and raw_real.showlegend is False
    np.testing.assert_allclose(raw_real.y, history["acc_real"], rtol=1e-6)
    np.testing.assert_allclose(smooth_real.y, smoothed(history["acc_real"]), rtol=1e-5)
    low, high = figure.layout.yaxis.range
    assert -0.05 < low <= 0 and 1 <= high < 1.05
    assert [s.y0 for s in figure.layout.shapes] == [0.5]


def test_smoothing_turns_a_barcode_into_a_line():
    barcode = pd.Series([0.0, 1.0] * 50)
    line = smoothed(barcode)
    assert line.iloc[20:].between(0.4, 0.6).all()  # a coin toss reads as one, not 0 ↔ 1
    assert smoothed(pd.Series([0.2, np.nan, 0.2])).tolist() == pytest.approx([0.2, 0.2, 0.2])


def test_smoothing_is_pandas_exponential_moving_average_over_a_long_run():
    # Far longer than a block of the cumulative sums, with gaps at the start and within.
    values = np.random.default_rng(3).random(3000)
    values[:5] = np.nan
    values[np.random.default_rng(4).random(3000) < 0.2] = np.nan
    expected = pd.Series(values).ewm(span=SMOOTHING_ROWS, ignore_na=True).mean()
    np.testing.assert_allclose(smoothed(pd.Series(values)), expected, rtol=1e-12, atol=1e-14)
    assert smoothed(pd.Series([], dtype=float)).empty


@pytest.mark.parametrize(
    "loss, title",
    [
        ("cross_entropy", "D's accuracy (smoothed)"),
        ("minimax", "D's accuracy (smoothed)"),
        ("least_squares", "D's accuracy (smoothed)"),
        ("wasserstein_gp", "Critic's score gap (real − fake)"),
        ("hinge", "Critic's score gap (real − fake)"),
    ],
)
def test_d_signals_follow_the_loss(seed_run, loss, title):
    history = seed_run[0].history.to_frame()
    figure = d_signals_figure(history, loss)
    assert figure.layout.title.text == title
    if "gap" in title:
        np.testing.assert_allclose(figure.data[0].y, history["score_gap"], rtol=1e-6)
        assert [s.y0 for s in figure.layout.shapes] == [0.0]


def test_a_critic_history_saved_without_a_score_gap_shows_its_accuracy(seed_run):
    stored = seed_run[0].history.to_frame().drop(columns="score_gap")
    assert d_signals_figure(stored, "hinge").layout.title.text == "D's accuracy (smoothed)"
    empty = History().to_frame()
    assert "score gap" in d_signals_figure(empty, "hinge").layout.title.text


def test_step_text_shows_lone_updates_as_half_steps():
    assert step_text(12) == "12"
    assert step_text(1234, "D") == "1,234 + D"
    assert step_text(3, "DD") == "3 + 2 D"
    assert step_text(3, "G") == "3 + G"


def test_plane_axes_follow_new_bounds(seed_run):
    _, bounds, snap = seed_run
    first = plane_figure(snap, bounds)
    narrow = (bounds[0], bounds[1], 0.25, 3.75)
    second = plane_figure(snap, narrow)
    assert list(second.layout.yaxis.range) == [0.25, 3.75]
    # plotly keeps a plot's ranges while its uirevision stays: new bounds must change it.
    assert first.layout.uirevision != second.layout.uirevision
    assert plane_figure(snap, bounds).layout.uirevision == first.layout.uirevision


def test_distance_figure_log_scale_drops_nan_and_floors_zero():
    history = History()
    for step, value in enumerate([4.0, float("nan"), 1.0, 0.0, float("inf"), 0.01]):
        history.append(
            step=step, epoch=0, loss_d=1, loss_g=1, acc_real=0.5, acc_fake=0.5,
            frechet=value, lr_d=0.1, lr_g=0.1,
        )  # fmt: skip
    figure = distance_figure(history.to_frame(), exact=True)
    assert figure.layout.yaxis.type == "log"
    (curve,) = figure.data
    assert list(curve.x) == [0, 2, 3, 5]
    np.testing.assert_allclose(curve.y, [4.0, 1.0, 1e-6, 0.01], rtol=1e-6)
    assert "exact" in figure.layout.title.text
    fitted = distance_figure(history.to_frame(), exact=False)
    assert "fitted Gaussians" in fitted.layout.title.text
    # Minor log ticks in full (5×10⁻¹), not a bare "5" that reads as five.
    assert figure.layout.yaxis.minorloglabels == "complete"


def test_downsampling_bounds_points_and_keeps_ends():
    history = History(cap=10_000)
    for step in range(1, 5001):
        history.append(
            step=step, epoch=step // 100, loss_d=1 / step, loss_g=1, acc_real=1, acc_fake=0,
            frechet=1 / step, lr_d=0.1, lr_g=0.1,
        )  # fmt: skip
    frame = history.to_frame()
    thinned = downsample(frame, 1500)
    assert len(thinned) <= 1500 and thinned["step"].is_monotonic_increasing
    assert thinned["step"].iloc[0] == 1 and thinned["step"].iloc[-1] == 5000
    for figure in (loss_figure(frame), accuracy_figure(frame), distance_figure(frame, True)):
        for trace in figure.data:
            assert len(trace.x) <= 1500
            assert trace.x[0] == 1 and trace.x[-1] == 5000
    assert len(loss_figure(frame, max_points=200).data[0].x) <= 200


def test_empty_history_gives_titled_empty_figures():
    empty = History().to_frame()
    figures = (
        loss_figure(empty, EQUILIBRIUM),
        accuracy_figure(empty),
        distance_figure(empty, False),
    )
    for figure in figures:
        assert all(len(trace.x) == 0 for trace in figure.data)
        assert figure.layout.xaxis.title.text == "step"
        assert figure.layout.yaxis.title.text
        figure.to_json()


def test_runs_overlaid_share_the_dashboard_curves(seed_run, ring_run):
    """Several runs on one chart: the dashboard's traces and layout, coloured by run."""
    seed, ring = (run[0].history.to_frame() for run in (seed_run, ring_run))
    runs = [("#1 seed", seed), ("#2 ring", ring)]
    losses = runs_loss_figure(runs, EQUILIBRIUM)
    assert [t.name for t in losses.data] == [
        "#1 seed · D",
        "#1 seed · G",
        "#2 ring · D",
        "#2 ring · G",
    ]
    assert [t.line.color for t in losses.data] == [RUN_COLOURS[0]] * 2 + [RUN_COLOURS[1]] * 2
    assert [t.line.dash for t in losses.data] == ["solid", "dot", "solid", "dot"]
    assert [t.legendgroup for t in losses.data] == ["#1 seed"] * 2 + ["#2 ring"] * 2
    np.testing.assert_allclose(losses.data[2].y, ring["loss_d"], rtol=1e-6)
    single = loss_figure(seed, EQUILIBRIUM)
    # The same reference line, axes, fonts and template as the dashboard's chart of one run.
    assert losses.layout.shapes == single.layout.shapes
    assert losses.layout.annotations == single.layout.annotations
    for key in ("font", "template", "margin", "legend", "xaxis", "yaxis", "hovermode"):
        assert losses.layout[key] == single.layout[key], key
    assert losses.data[0].hovertemplate == single.data[0].hovertemplate
    assert "D solid, G dotted" in losses.layout.title.text
    assert not runs_loss_figure(runs).layout.shapes

    distance = runs_distance_figure(runs, exact=None)
    assert [t.name for t in distance.data] == ["#1 seed", "#2 ring"]
    assert distance.layout.showlegend and distance.layout.yaxis.type == "log"
    assert distance.layout.yaxis == distance_figure(seed, exact=True).layout.yaxis
    assert not any(kind in distance.layout.title.text for kind in ("exact", "fitted"))
    assert "exact" in runs_distance_figure(runs[:1], exact=True).layout.title.text
    for figure in (losses, distance):
        figure.to_json()


def test_ninth_run_takes_the_first_colour_again():
    history = History()
    history.append(
        step=1, epoch=0, loss_d=1, loss_g=1, acc_real=0.5, acc_fake=0.5,
        frechet=0.5, lr_d=0.1, lr_g=0.1,
    )  # fmt: skip
    frame = history.to_frame()
    figure = runs_distance_figure([(f"#{i}", frame) for i in range(9)], exact=True)
    colours = [t.line.color for t in figure.data]
    assert colours[:8] == list(RUN_COLOURS) and colours[8] == RUN_COLOURS[0]


# --- the ellipse itself ----------------------------------------------------------------------


def test_covariance_ellipse_on_regular_covariance():
    mean, cov = np.array([1.0, -2.0]), np.array([[2.0, 0.6], [0.6, 0.5]])
    xs, ys = covariance_ellipse(mean, cov, 2, n=90)
    assert len(xs) == len(ys) == 90
    assert (xs[0], ys[0]) == pytest.approx((xs[-1], ys[-1]))  # closed
    points = np.stack((xs, ys), axis=1)
    np.testing.assert_allclose(mahalanobis_sq(points, mean, cov), 4.0, rtol=1e-9)


def test_covariance_ellipse_on_singular_covariance_is_a_segment():
    mean = np.array([1.0, 2.0])
    # n = 121 puts points at exactly a quarter and three quarters of the turn: the ends.
    xs, ys = covariance_ellipse(mean, [[1.0, 1.0], [1.0, 1.0]], 2, n=121)
    # All on the line through the mean along (1, 1), spanning ±2σ = ±2·√2 along it.
    np.testing.assert_allclose(ys - mean[1], xs - mean[0], atol=1e-12)
    assert xs.min() == pytest.approx(mean[0] - 2) and xs.max() == pytest.approx(mean[0] + 2)
    xs, ys = covariance_ellipse(mean, np.zeros((2, 2)), 1)
    np.testing.assert_allclose(xs, 1.0) and np.testing.assert_allclose(ys, 2.0)
    xs, ys = covariance_ellipse(mean, [[np.nan, 0], [0, 1]], 1)
    assert len(xs) == len(ys) == 0


# --- sweep -----------------------------------------------------------------------------------


def test_sweep_heatmap():
    cells = pd.DataFrame(
        [
            dict(lr_d=lr_d, lr_g=lr_g, median_frechet=lr_d / lr_g)
            for lr_d in (1e-3, 1e-2, 1e-1)
            for lr_g in (1e-3, 1e-2)
        ]
    )
    cells.loc[0, "median_frechet"] = np.nan  # a cell with no result
    cells.loc[5, "median_frechet"] = np.inf  # a cell whose runs diverged
    figure = sweep_heatmap(cells, "lr_d", "lr_g")
    (heatmap,) = figure.data
    assert list(heatmap.x) == ["0.001", "0.01", "0.1"] and list(heatmap.y) == ["0.001", "0.01"]
    z = np.array(heatmap.z, dtype=float)
    assert np.isnan(z[0, 0])  # lr_g = 1e-3, lr_d = 1e-3
    assert z[0, 1] == pytest.approx(math.log10(10.0))  # lr_g = 1e-3, lr_d = 1e-2: 10
    assert z[1, 2] == np.nanmax(z) and heatmap.text[1][2] == "∞"  # diverged: the worst colour
    assert heatmap.text[0][0] == "" and heatmap.text[0][1] == "10"
    assert heatmap.text[1][0] == "0.1" and heatmap.text[1][1] == "1"  # format_distance's text
    assert list(heatmap.colorbar.ticktext)[:3] == ["0.1", "0.2", "0.5"]
    assert "lr_d" in heatmap.hovertemplate and "lr_g" in heatmap.hovertemplate
    assert figure.layout.xaxis.type == "category"
    figure.to_json()
