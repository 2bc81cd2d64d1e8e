"""The main page in English and Chinese, run by AppTest: the link's `lang`, the sidebar's
switch during a run, the share link's language, and refusals worded in the page's language.

Other parts of the page (the live view's buttons, status and charts; the presets' titles;
the engine's refusal texts) are translated in their own modules; until then they show in
English, so the "no English left" checks here cover the parts this page draws itself:
the sidebar (but for the preset picker), the header, the present switch in the run
buttons' row, the share and save section and the page's own notices.
"""

from __future__ import annotations

import re

from streamlit.proto.WidgetStates_pb2 import WidgetState

from gan_core.i18n import use_language
from gan_core.presets import PRESETS
from tests import test_dashboard_app as dashboard
from tests.i18n_check import english_words, has_chinese, texts_under, visible_texts
from tests.test_dashboard_app import errors, job_of, query, wait_for_frame

apps, data_dir = dashboard.apps, dashboard.data_dir  # the same fixtures as the main tests

_CODE_SPAN = re.compile(r"`[^`]*`")  # a command to type, not words to translate


def reading(language: str):
    """AppTest works out the choices of a radio or list (before every run, in the test's
    own thread) through the widget's `format_func`; the page shows them translated, so
    the test must read them in the page's language to find them. The script itself runs
    in a thread of its own, which this does not reach: there the session's choice rules."""
    return use_language(language)


def english_in(texts: list[str]) -> list[str]:
    """The texts that hold English words, code spans left aside."""
    return [text for text in texts if english_words(_CODE_SPAN.sub(" ", text))]


def preset_texts() -> set[str]:
    """The presets' titles and explanations: gan_core/presets.py translates them."""
    found = set()
    for preset in PRESETS.values():
        found |= {preset.title, preset.explanation}
    return found


def own_texts(at) -> list[str]:
    """The words of the parts this page draws itself (see the module's docstring).

    The language switch is left out on purpose: its label ("Language / 语言") and its
    options ("English", "中文") are in both languages so that anyone can find it."""
    left_out = set(texts_under(at.button_group(key="language_switch")))
    left_out |= set(texts_under(at.selectbox(key="preset"))) | preset_texts()
    texts = [t for t in texts_under(at.sidebar) if t not in left_out and t.strip() not in left_out]
    texts += [at.title[0].value, at.caption[0].value]  # the header
    texts += texts_under(at.toggle(key="present"))
    texts += [s.value for s in at.subheader if s.value == "分享与保存"]
    for kind in ("download_button", "file_uploader"):
        for element in at.get(kind):
            texts += texts_under(element)
    texts += [m.value for m in at.markdown if "本设置的链接" in m.value]
    return texts


def step_of(job) -> int:
    snapshot = job.frame().snapshot
    return snapshot.step if snapshot is not None else 0


def share_link(at) -> str:
    return at.code[0].value


def test_a_chinese_link_shows_the_page_in_chinese(apps):
    at = apps({"lang": "zh"})
    assert not at.exception
    assert at.selectbox(key="preset").label == "预设"
    assert at.number_input(key="w.lr_d").label == "D 的学习率"
    assert at.toggle(key="present").label == "演示模式"
    assert "分享与保存" in [s.value for s in at.subheader]
    assert has_chinese(at.caption[0].value)
    downloads = [b.label for b in at.get("download_button")]
    assert downloads == ["配置（JSON）", "训练日志（CSV）", "检查点"]
    texts = own_texts(at)
    assert len(texts) > 40  # the sidebar's labels, help texts, options and captions
    assert english_in(texts) == []


def test_the_advanced_settings_and_the_matrix_form_are_chinese_too(apps):
    at = apps({"lang": "zh"})
    with reading("zh"):
        at.radio(key="cov_form").set_value("matrix").run()
    assert at.number_input(key="w.cov_a").label == "Σ 第 1 行第 1 列"
    assert at.selectbox(key="w.loss").label == "损失函数"
    assert "交叉熵（非饱和 G）" in at.selectbox(key="w.loss").options
    assert english_in(own_texts(at)) == []


def test_the_same_page_in_english_stays_english(apps):
    at = apps({"lang": "en"})
    assert at.selectbox(key="preset").label == "Preset"
    assert at.toggle(key="present").label == "Present"
    assert at.caption[0].value.startswith("Watch a tiny GAN learn")
    assert not any(has_chinese(t) for t in own_texts(at) if t != "中文")


def test_a_refusal_in_the_sidebar_is_worded_in_chinese(apps):
    at = apps({"lang": "zh"})
    with reading("zh"):
        at.number_input(key="w.lr_d").set_value(0.0).run()
    refusal = next(e for e in errors(at) if e.startswith("lr_d"))
    # The reason itself comes from gan_core/config.py, translated there; the rest is ours.
    assert refusal.endswith("。保留原来的值（0.05）。"), refusal
    assert at.number_input(key="w.lr_d").label == "D 的学习率"
    assert at.session_state["config"].lr_d == 0.05


def test_a_refusal_worded_here_is_chinese_but_for_the_field_and_the_value(apps):
    at = apps({"lang": "zh"})
    with reading("zh"):
        at.text_input(key="w.d_hidden").set_value("5, x").run()
    # The field's key, then its Chinese name (gan_core/config.py's ConfigError).
    refusal = next(e for e in errors(at) if e.startswith("d_hidden（判别器隐藏层）："))
    assert has_chinese(refusal) and "保留原来的隐藏层（5, 3）" in refusal
    assert english_words(refusal.removeprefix("d_hidden")) == []


def test_a_bad_present_value_is_refused_in_chinese(apps):
    at = apps({"lang": "zh", "present": "maybe"})
    (refusal,) = errors(at)
    assert refusal.startswith("无法使用此链接中的演示模式：present：")
    assert "'maybe'" in refusal and has_chinese(refusal)
    assert set(english_words(refusal)) == {"present", "maybe"}  # the field and the value


def test_a_bad_language_in_the_link_is_refused_and_the_page_still_serves(apps):
    at = apps({"lang": "xx"})
    assert not at.exception
    (refusal,) = errors(at)
    assert "lang: 'xx' is not allowed: use one of en, zh" in refusal
    assert at.selectbox(key="preset").label == "Preset"  # English, as no browser said more
    assert query(at)["lang"] == "en"  # the address now says what the page shows
    at.run()
    assert errors(at) == []  # said once, not on every rerun
    at.number_input(key="w.epochs").set_value(2).run()
    assert at.session_state["config"].epochs == 2


def test_the_share_link_carries_the_language(apps):
    at = apps({"lang": "zh"})
    assert "lang=zh" in share_link(at)
    assert query(at)["lang"] == "zh"
    at = apps({"lang": "en"})
    assert "lang=en" in share_link(at)


def test_the_switch_changes_the_language_at_once_and_the_run_goes_on(apps):
    at = apps({"lang": "en", "speed": "10"})
    at.number_input(key="w.epochs").set_value(100).run()  # far more steps than the test waits
    at.button(key="run_train").click().run()
    job = job_of(at)
    wait_for_frame(job, lambda frame: frame.snapshot is not None and frame.snapshot.step > 0)
    before = step_of(job)

    with reading("en"):  # the page was English until this run
        at.button_group(key="language_switch").set_value("zh").run()
    assert at.selectbox(key="preset").label == "预设"
    assert at.toggle(key="present").label == "演示模式"
    assert english_in(own_texts(at)) == []
    assert job_of(at) is job and job.alive  # the same run, still training
    wait_for_frame(job, lambda frame: frame.snapshot.step > before)  # it keeps training
    assert query(at)["lang"] == "zh" and "lang=zh" in share_link(at)

    with reading("zh"):
        at.run()  # the address now says zh: the choice holds on the next rerun
        assert at.selectbox(key="preset").label == "预设"
        at.button_group(key="language_switch").set_value("en").run()
    assert at.selectbox(key="preset").label == "Preset"
    assert job_of(at) is job and job.alive
    assert errors(at) == []


def test_the_whole_chinese_dashboard_leaves_no_english(apps):
    # Every part of the page together (sidebar, header, run buttons, status, numbers,
    # charts, sharing and files): only the language switch, bilingual on purpose, and code
    # spans (a command line) keep Latin words.
    at = apps({"lang": "zh"})
    switch = {"English", "Language / 语言"}
    assert [t for t in english_in(visible_texts(at)) if t not in switch] == []
    assert "训练" in [b.label for b in at.button]


def send_back(box, words: str):
    """`box` (an AppTest selectbox or radio) as a browser sends it with `words` as its
    choice, words it may not offer (AppTest's own `set_value` takes only the options shown)."""
    state = WidgetState(id=box.id, string_value=words)
    box.__class__ = type("SentBack", (type(box),), {"_widget_state": property(lambda _: state)})
    return box


def test_a_choice_sent_back_in_the_language_before_a_switch_changes_nothing(apps):
    # A browser that still holds a list's label from before the switch sends those words
    # back as the choice (a selectbox's choice travels as its label): the preset's title
    # in English, the loss's name in English, to a page now in Chinese.
    at = apps({"lang": "zh"})
    with_settings = at.number_input(key="w.epochs").set_value(12).run()
    config_before = query(with_settings)
    with reading("zh"):
        send_back(at.selectbox(key="preset"), "The seed tutorial").run()
        send_back(at.selectbox(key="w.loss"), "Least squares").run()
        send_back(at.radio(key="w.target_kind"), "Gaussian").run()
        send_back(at.radio(key="cov_form"), "Full matrix").run()
    assert errors(at) == []
    assert at.session_state["preset"] == "tutorial"  # not a new choice: nothing loaded
    assert at.session_state["w.loss"] == "least_squares"  # the option the words named
    assert query(at)["epochs"] == config_before["epochs"] == "12"  # the edit is kept
    assert query(at)["loss"] == "least_squares"
    assert at.session_state["w.target_kind"] == "gaussian"  # a radio's choice travels alike
    assert at.session_state["cov_form"] == "matrix"
    assert at.number_input(key="w.cov_b").value == 1.95  # the matrix form is shown
