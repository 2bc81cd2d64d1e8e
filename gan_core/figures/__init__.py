"""Figure builders: snapshot and history data in, `plotly.graph_objects.Figure` out.

Pure functions with no Streamlit in them, one chart per module (TensorFlow Playground's
split): `plane` for points, D's field, ellipses and arrows; `curves` for the charts over
steps; `sweep` for a two-axis sweep; `ellipse` for the geometry they share.
"""

from gan_core.figures.curves import accuracy_figure, distance_figure, downsample, loss_figure
from gan_core.figures.ellipse import covariance_ellipse
from gan_core.figures.plane import LAYERS, plane_figure
from gan_core.figures.sweep import sweep_heatmap

__all__ = [
    "LAYERS",
    "accuracy_figure",
    "covariance_ellipse",
    "distance_figure",
    "downsample",
    "loss_figure",
    "plane_figure",
    "sweep_heatmap",
]
