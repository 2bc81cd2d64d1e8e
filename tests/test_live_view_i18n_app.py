"""The live view in Chinese (AppTest, `lang=zh`): the run buttons, the status, the numbers,
the narration after Step, D step and G step, the layer toggles, the maths, the replay and
every chart's title, axes, legend and hover text leave no English behind; a switch of
language redraws the charts in the new one.

Only the live view's own elements are read (the run buttons down to the divider above
"Share and save"), less the present-mode switch, which belongs to the page's frame.
"""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from tests import test_dashboard_app as dashboard
from tests.i18n_check import english_left_under, has_chinese, texts_under
from tests.markdown_text import shown
from tests.test_dashboard_app import assert_clean, job_of, metric, small_run, wait_for_frame
from tests.test_live_view_app import frame_args
from ui.live.live_maths import text_of

apps = dashboard.apps
data_dir = dashboard.data_dir

ZH = {"lang": "zh"}
NOT_OURS = ("present",)  # present mode's switch sits in the run buttons' row
ALL_LAYERS = ["field", "ellipses", "arrows", "optimal", "warp", "maths"]


def live_view(at: AppTest) -> list:
    """The main area's blocks from the run buttons to the divider under the charts."""
    children = list(at.main.children.values())
    start = next(i for i, c in enumerate(children) if "run_controls" in str(c.proto.id))
    end = next(i for i, c in enumerate(children) if getattr(c, "type", None) == "divider")
    return children[start:end]


def english_left(at: AppTest) -> list[str]:
    return english_left_under(live_view(at), NOT_OURS)


def drawn(at: AppTest, name: str) -> dict:
    return json.loads(at.session_state["figure_cache"][name].json)


def titles(at: AppTest) -> dict[str, str]:
    return {name: drawn(at, name)["layout"]["title"]["text"] for name in ("plane", "loss")}


def test_the_ready_page_in_chinese_has_no_english_left(apps):
    at = apps(ZH)
    assert_clean(at)
    assert english_left(at) == []
    shown = texts_under(live_view(at))
    assert "训练" in shown and "D 单步" in shown and "速度（步/秒）" in shown
    assert any("就绪" in text for text in shown)
    assert "D 的视角（热力图）" in shown and "最优判别器 D*" in shown  # the layer toggles
    assert titles(at) == {"plane": "第 0 步，共 2,500 步", "loss": "损失"}
    plane = drawn(at, "plane")
    names = {trace.get("name") for trace in plane["data"]}
    assert {"真实样本", "生成样本", "目标分布 1σ、2σ", "生成器（精确高斯分布）"} <= names
    assert drawn(at, "accuracy")["layout"]["yaxis"]["title"]["text"] == "准确率"
    assert drawn(at, "distance")["layout"]["xaxis"]["title"]["text"] == "步"


def test_every_layer_and_the_maths_in_chinese(apps):
    # Chosen in English, then read in Chinese: AppTest calls the toggles' format_func outside
    # the session (so in English) to find the options, which a Chinese page names otherwise.
    at = apps()
    at.button_group(key="plane_layers").set_value(ALL_LAYERS).run()
    at.query_params["lang"] = "zh"
    at.run()
    assert at.button_group(key="plane_layers").value == ALL_LAYERS  # kept across the switch
    assert_clean(at)
    assert english_left(at) == []
    shown = " ".join(texts_under(live_view(at)))
    assert "生成器" in shown and "目标分布" in shown  # the maths' titles
    assert "奈特" in text_of(frame_args(at)["maths"]["after"][0]["formulas"][0])  # its unit
    names = {trace.get("name") for trace in drawn(at, "plane")["data"]}
    assert "G 对噪声网格的形变" in names and "最优判别器 D* = 0.5" in names


def test_a_short_run_in_chinese_has_no_english_left(apps):
    at = small_run(apps(ZH))
    at.select_slider(key="speed").set_value("max").run()
    at.button(key="run_train").click().run()
    assert job_of(at).wait(120), "the run did not finish in time"
    at.run()
    assert_clean(at)
    assert english_left(at) == []
    shown = texts_under(live_view(at))
    assert any("已完成" in text for text in shown)
    assert metric(at, "单步") == "250" and metric(at, "轮") == "1 / 1"
    labels = [m.label for m in at.metric]
    assert "切片 Wasserstein 距离" in labels and "能量距离" in labels
    assert "回放：拖动滑块，查看训练在任一记录步的样子" in shown  # the replay slider
    assert "下载回放，用于幻灯片（HTML）" in shown
    assert drawn(at, "plane")["layout"]["title"]["text"] == "第 250 步，共 250 步"
    distance = drawn(at, "distance")
    assert distance["layout"]["title"]["text"] == "到目标分布的 Fréchet²（精确）"
    assert {t["name"] for t in distance["data"]} == {"Fréchet²（左轴）", "JSD（右轴）"}


def narration(at: AppTest) -> str:
    return " ".join(shown(i.value) for i in at.info)


def test_steps_are_narrated_in_chinese(apps):
    at = apps(ZH)
    at.button(key="run_step_d").click().run()
    wait_for_frame(job_of(at), lambda frame: frame.snapshot and frame.snapshot.lone_updates)
    at.run()
    assert_clean(at)
    said = narration(at)
    assert said.startswith("D 单步：D 在一批真实样本和生成样本上更新了一次") and "0 + D" in said
    assert any("已暂停" in text for text in texts_under(live_view(at)))
    assert english_left(at) == []

    at.button(key="run_step_g").click().run()
    said = narration(at)
    assert said.startswith("G 单步：") and "D 没有更新" in said and "Fréchet²" in said
    assert english_left(at) == []

    at.button(key="run_step").click().run()
    assert narration(at).startswith("单步：先用真实样本和生成样本更新 D")
    assert metric(at, "单步") == "2"
    assert english_left(at) == []


def test_a_critic_in_chinese_reads_its_score_gap(apps):
    at = apps(ZH)
    at.selectbox(key="w.loss").set_value("hinge").run()
    at.button(key="run_step_d").click().run()
    wait_for_frame(job_of(at), lambda frame: frame.snapshot and frame.snapshot.lone_updates)
    at.run()
    assert narration(at).startswith("D 单步：评判器") and "得分差" in narration(at)
    assert drawn(at, "accuracy")["layout"]["title"]["text"] == "评判器得分差（真实 − 生成）"
    assert "评判器得分差" in [m.label for m in at.metric]
    assert english_left(at) == []


def test_switching_the_language_redraws_the_charts_and_the_narration(apps):
    at = apps(ZH)
    at.button(key="run_step_d").click().run()
    wait_for_frame(job_of(at), lambda frame: frame.snapshot and frame.snapshot.lone_updates)
    at.run()
    assert titles(at)["loss"] == "损失" and has_chinese(narration(at))
    at.query_params["lang"] = "en"
    at.run()
    assert titles(at) == {"plane": "Step 0 + D of 2,500", "loss": "Losses"}
    assert narration(at).startswith("D step: D was updated")
    assert metric(at, "Step") == "0 + D"
    at.query_params["lang"] = "zh"
    at.run()
    assert titles(at) == {"plane": "第 0 + D 步，共 2,500 步", "loss": "损失"}
    assert at.button_group(key="plane_layers").value == ["arrows", "ellipses", "field"]
