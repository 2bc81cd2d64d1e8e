"""A figure's plain dicts to plotly JSON in one pass, without building a plotly Figure.

`Figure.to_json` deep-copies the figure and walks every list looking for arrays to encode:
on the live view that was more than half of a frame's server time. The builders already
write plotly's schema as plain dicts and numpy arrays (see `style.figure`), so this walks
them once: a numpy array becomes the typed-array form plotly.js reads ({dtype, bdata},
as plotly itself writes it; a NaN in a float array stays NaN, which plotly.js draws as a
gap, see `style.gap_path`), and the rest goes to `json.dumps` as it is.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import numpy as np

# numpy dtype -> plotly.js typed-array name; int64 is narrowed first (plotly.js has none).
TYPED = {
    "int8": "i1",
    "uint8": "u1",
    "int16": "i2",
    "uint16": "u2",
    "int32": "i4",
    "uint32": "u4",
    "float32": "f4",
    "float64": "f8",
}
_TYPED_BY_DTYPE = {np.dtype(name): typed for name, typed in TYPED.items()}  # a quick lookup
INT_WIDTHS = (np.int8, np.int16, np.int32)
UNTYPED_KEYS = frozenset({"range"})  # plotly.js wants plain lists there


def figure_json(spec: dict[str, Any]) -> str:
    """`spec` ({"data": [...], "layout": {...}}) as the JSON plotly's `to_json` would give."""
    layout = dict(spec["layout"])
    template = layout.pop("template", None)
    text = f'{{"data":{_dumps(_plain(spec["data"]))},"layout":{_dumps(_plain(layout))}'
    if template is not None:
        # The shared template is most of a small figure's JSON: written once, then reused.
        comma = "," if layout else ""
        text = f'{text[:-1]}{comma}"template":{_template_json(template)}}}'
    return text + "}"


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


_TEMPLATES: dict[int, tuple[object, str]] = {}  # id -> (the template, kept alive; its JSON)


def _template_json(template: object) -> str:
    known = _TEMPLATES.get(id(template))
    if known is None or known[0] is not template:
        known = (template, _dumps(_plain(template)))
        if len(_TEMPLATES) < 8:  # the shared one, in practice: never a figure's own copy
            _TEMPLATES[id(template)] = known
    return known[1]


def _plain(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _plain(v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist()) if key in UNTYPED_KEYS else typed_array(value)
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None  # strict JSON, as plotly writes it
    return value


def typed_array(values: np.ndarray) -> Any:
    """plotly.js's typed-array form of `values`; an empty or unsupported one as a list."""
    if values.size == 0:
        return values.tolist()
    if values.dtype == np.int64:
        low, high = values.min(), values.max()
        for width in INT_WIDTHS:
            info = np.iinfo(width)
            if info.min <= low and high <= info.max:
                values = values.astype(width)
                break
    name = _TYPED_BY_DTYPE.get(values.dtype)
    if name is None:
        return _plain(values.tolist())
    encoded: dict[str, Any] = {
        "dtype": name,
        "bdata": base64.b64encode(np.ascontiguousarray(values).tobytes()).decode("ascii"),
    }
    if values.ndim > 1:
        encoded["shape"] = str(values.shape)[1:-1]
    return encoded
