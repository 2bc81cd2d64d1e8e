"""A run as one self-contained HTML file: an animation of the plane with a slider and a Play
button, plotly.js inside, bounded in size; `train --out` writes it as replay.html."""

from __future__ import annotations

import json
import os
import re

import pytest

from gan_core.config import GanConfig
from gan_core.figures.replay_html import MAX_FRAMES, replay_figure, replay_html
from gan_core.i18n import use_language
from gan_core.training.trainer import Trainer
from tests.test_cli import run_cli

CONFIG = GanConfig(epochs=1)  # 250 logged steps
MAX_HTML_BYTES = 8_000_000  # plotly.js is about 4.8 MB of it


@pytest.fixture(scope="module")
def frames():
    trainer = Trainer(CONFIG)
    trainer.run()
    return trainer.timeline.frames()


def test_the_figure_animates_evenly_chosen_frames_with_a_slider_and_play(frames):
    figure = replay_figure(CONFIG, frames, "run").to_plotly_json()
    names = [frame["name"] for frame in figure["frames"]]
    assert len(names) == MAX_FRAMES < len(frames)
    assert names[0] == "1" and names[-1] == "250"  # first and last kept
    slider = figure["layout"]["sliders"][0]
    assert [step["args"][0] for step in slider["steps"]] == [[name] for name in names]
    assert slider["active"] == 0  # opens at the start: Play plays the whole run
    labels = [b["label"] for b in figure["layout"]["updatemenus"][0]["buttons"]]
    assert labels == ["▶ Play", "❚❚ Pause"]
    assert "step 1 of 250" in figure["layout"]["title"]["text"]
    # Each frame carries only what moves: D's view, the fakes, G's ellipse and its push.
    moved = {str(figure["data"][i].get("name")) for i in figure["frames"][0]["traces"]}
    assert {"D(x)", "fake", "generator (exact Gaussian)"} <= moved
    assert "real" not in moved and "target 1σ, 2σ" not in moved
    assert all(t["type"] != "scattergl" for t in figure["data"])  # SVG: no WebGL needed


def test_the_html_needs_no_network_and_stays_small(frames):
    page = replay_html(CONFIG, frames, "run")
    assert len(page.encode()) < MAX_HTML_BYTES
    assert not re.search(r"<script[^>]+src=", page)  # plotly.js is inline, not fetched
    assert "Plotly.addFrames" in page and "Plotly.newPlot" in page


def test_train_out_writes_replay_html(repo_root, tmp_path):
    out = tmp_path / "run"
    result = run_cli(
        "train", "--epochs", "1", "--quiet", "--out", str(out),
        cwd=repo_root, env={**os.environ, "GANSCOPE_DATA_DIR": str(tmp_path)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    page = (out / "replay.html").read_text()
    assert "Plotly.addFrames" in page and len(page.encode()) < MAX_HTML_BYTES
    assert not re.search(r"<script[^>]+src=", page)


def test_the_html_is_in_the_language_it_was_made_in(frames):
    with use_language("zh"):
        page = replay_html(CONFIG, frames, "GANscope 训练")
    assert '<html lang="zh-Hans">' in page
    for text in ("GANscope 训练 · 第 1 步，共 250 步", "▶ 播放", "❚❚ 暂停"):
        assert text in page or json.dumps(text)[1:-1] in page  # plotly may write \\u escapes
    assert "Noto Sans CJK SC" in page  # a CJK face in the fonts, for a laptop without ours
    english = replay_html(CONFIG, frames, "run")  # the CLI's: English, no session
    assert '<html lang="en">' in english and "step 1 of 250" in english
