"""Figure builders: snapshot and history data in, `plotly.graph_objects.Figure` out.

Pure functions with no Streamlit in them, one chart per module (TensorFlow Playground's
split): `plane` for points, D's field, ellipses and arrows; `curves` for the charts over
steps, of one run or of several overlaid; `signals` for D's accuracy or a critic's score
gap; `compare` for saved runs on those curves; `sweep` for a sweep's heatmap; `ellipse`
for the geometry they share; `style` for the palette, fonts and layout they all start from.
"""

from gan_core.figures.curves import (
    distance_figure,
    downsample,
    loss_figure,
    runs_distance_figure,
    runs_loss_figure,
)
from gan_core.figures.ellipse import covariance_ellipse
from gan_core.figures.plane import LAYERS, plane_figure
from gan_core.figures.signals import accuracy_figure, d_signals_figure, score_gap_figure
from gan_core.figures.sweep import sweep_figure, sweep_heatmap

__all__ = [
    "LAYERS",
    "accuracy_figure",
    "covariance_ellipse",
    "d_signals_figure",
    "distance_figure",
    "downsample",
    "loss_figure",
    "plane_figure",
    "runs_distance_figure",
    "runs_loss_figure",
    "score_gap_figure",
    "sweep_figure",
    "sweep_heatmap",
]
