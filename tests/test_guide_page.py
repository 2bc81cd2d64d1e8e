"""The Guide page (AppTest) in English and Chinese, and how its experiments are matched to
the presets."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import extract_python
from streamlit.testing.v1 import AppTest

from gan_core.config import GanConfig
from gan_core.i18n import LANGUAGES, _, use_language
from gan_core.presets import PRESETS, Preset
from tests.i18n_check import english_left, english_words, has_chinese, visible_texts
from tests.test_dashboard_app import link_query
from ui import language
from ui.guide_experiments import LESSONS, experiments

REPO_ROOT = Path(__file__).resolve().parent.parent


def guide_page() -> AppTest:
    # Inside the whole app, so that an experiment's button can switch to the dashboard.
    app = AppTest.from_file(str(REPO_ROOT / "dashboard.py"), default_timeout=60)
    app.run()
    app.switch_page("pages/3_Guide.py")
    return app.run()


def test_the_guide_loads_with_its_formulas():
    app = guide_page()
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == "Guide"
    formulas = " ".join(element.proto.body for element in app.get("latex"))
    assert r"2\ln 2" in formulas
    assert r"\det\Sigma_1" in formulas  # the 2x2 closed form of the Fréchet distance


def test_every_preset_has_a_button():
    app = guide_page()
    keys = {button.key for button in app.button}
    assert {f"try_{name}" for name in PRESETS} <= keys


def test_each_lesson_that_can_be_shown_has_its_button():
    app = guide_page()
    headings = [h.value for h in app.subheader]
    with_lessons = [e for e in experiments() if e.lesson is not None]
    assert with_lessons, "no experiment has a lesson to show"
    for experiment in with_lessons:
        assert experiment.lesson.title in headings
        assert app.button(key=f"try_{experiment.preset.name}")


@pytest.mark.parametrize("name", list(PRESETS))
def test_a_button_opens_its_preset_on_the_dashboard(name):
    app = guide_page()
    app.button(key=f"try_{name}").click().run()
    assert not app.exception, [e.value for e in app.exception]
    # The dashboard loaded the preset and wrote it back into the URL.
    assert app.query_params == link_query(PRESETS[name].config)


def _preset(name: str, **changes) -> Preset:
    return Preset(name, name.title(), "", GanConfig().replace(**changes))


def test_lessons_prefer_named_presets_then_fall_back_on_their_config():
    presets = {
        "tutorial": _preset("tutorial"),
        "recommended": _preset("recommended", ema=0.99),
        "ema_smoothing": _preset("ema_smoothing", ema=0.999),
        "odd": _preset("odd", seed=5),
    }
    found = {e.preset.name: e.lesson.title if e.lesson else None for e in experiments(presets)}
    assert found["ema_smoothing"] == "Smoothing with an averaged generator (EMA)"
    assert found["recommended"] is None and found["odd"] is None  # still offered
    del presets["ema_smoothing"]
    found = {e.preset.name: e.lesson.title if e.lesson else None for e in experiments(presets)}
    assert found["recommended"] == "Smoothing with an averaged generator (EMA)"


def test_every_current_preset_is_offered_once():
    names = [e.preset.name for e in experiments()]
    assert sorted(names) == sorted(PRESETS)
    assert len(LESSONS) == 6


# --- The Guide in Chinese ----------------------------------------------------------------

GUIDE_SOURCES = ("pages/3_Guide.py", "ui/guide_experiments.py")
# $...$ formulas and `code` spans, kept character for character by a translation.
MATH_OR_CODE = re.compile(r"\$[^$]+\$|`[^`]+`")
# Formulas written as plain text in the Guide: D(G(z)), log(1 − D), 2·ln 2, ≈ 1.386 ...
PLAIN_FORMULA = re.compile(
    r"−?(?:log |ln )?(?:log|[A-Za-z])\((?:[^()]|\([^()]*(?:\([^()]*\))?[^()]*\))*\)"
    r"|\d·ln \d|≈ [\d.]+"
)
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def guide_page_in(lang: str) -> AppTest:
    # AppTest reads the widgets' choices (the preset list) in the test's own thread, through
    # their format_func: that thread must read the page's language to find them.
    app = AppTest.from_file(str(REPO_ROOT / "dashboard.py"), default_timeout=60)
    app.query_params["lang"] = lang
    with use_language(lang):
        app.run()
        app.switch_page("pages/3_Guide.py")
        return app.run()


def preset_texts() -> list[str]:
    """The presets' titles and explanations as the Guide shows them: gan_core/presets.py
    writes them (in the Guide: each experiment card's heading, its "Preset:" line and its
    button); until a translation of them is in the catalog, they stay English."""
    with use_language("zh"):
        return [_(text) for p in PRESETS.values() for text in (p.title, p.explanation)]


def language_switch_texts() -> set[str]:
    # The sidebar's switch names each language in that language, on purpose.
    return {"Language / 语言", *LANGUAGES.values()}


def english_outside_formulas(app: AppTest) -> list[str]:
    """`english_left`, less formulas (st.latex and $...$ / `code` spans), the language
    switch and the presets' own texts."""
    latex = {element.proto.body for element in app.get("latex")}
    left = []
    for text in english_left(app):
        if text in latex or text.strip("$\n") in latex or text in language_switch_texts():
            continue
        rest = text
        for preset_text in preset_texts():
            rest = rest.replace(preset_text, " ")
        rest = MATH_OR_CODE.sub(" ", rest)
        if english_words(rest):
            left.append(text)
    return left


def markdown_bodies(app: AppTest) -> list[str]:
    return [element.value for element in app.markdown] + [element.value for element in app.caption]


def guide_messages() -> list[str]:
    """Every message the Guide's own files mark for translation."""
    found = []
    for source in GUIDE_SOURCES:
        with (REPO_ROOT / source).open("rb") as file:
            for _line, _function, message, _comments in extract_python(file, ["_", "N_"], [], {}):
                if isinstance(message, str):  # not _(variable): shown, not written here
                    found.append(message)
    return found


def test_the_chinese_guide_leaves_no_english_but_formulas_and_preset_texts():
    app = guide_page_in("zh")
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == "指南"
    assert english_outside_formulas(app) == []
    headers = [h.value for h in app.header]
    assert "为什么 D 的损失会停在 2·ln 2" in headers and "实验" in headers


def test_the_chinese_guide_has_the_english_guides_sections():
    english, chinese = guide_page_in("en"), guide_page_in("zh")
    for kind in ("header", "subheader"):
        english_heads = [h.value for h in getattr(english, kind)]
        chinese_heads = [h.value for h in getattr(chinese, kind)]
        with use_language("zh"):
            assert chinese_heads == [_(head) for head in english_heads], kind
    assert all(has_chinese(h.value) for h in chinese.header)


def test_the_chinese_guide_keeps_every_formula():
    english, chinese = guide_page_in("en"), guide_page_in("zh")
    latex = [element.proto.body for element in english.get("latex")]
    assert latex and latex == [element.proto.body for element in chinese.get("latex")]
    english_spans = Counter(
        s for text in markdown_bodies(english) for s in MATH_OR_CODE.findall(text)
    )
    chinese_spans = Counter(
        s for text in markdown_bodies(chinese) for s in MATH_OR_CODE.findall(text)
    )
    assert english_spans[r"$A^\top A$"] >= 1  # the patterns do find the Guide's formulas
    assert chinese_spans == english_spans


def test_each_guide_translation_keeps_its_formulas_and_numbers():
    # Message by message, so a formula moved from one paragraph into another is caught too,
    # and the lessons' plain-text formulas (D(G(z)), −log D(G(z)), 2·ln 2) with them.
    messages = guide_messages()
    assert len(messages) > 30
    changed = []
    with use_language("zh"):
        for message in messages:
            translated = _(message)
            assert has_chinese(translated), message
            for pattern in (MATH_OR_CODE, PLAIN_FORMULA, NUMBER):
                if Counter(pattern.findall(message)) != Counter(pattern.findall(translated)):
                    changed.append((pattern.pattern[:12], message, translated))
    assert changed == []


@pytest.mark.parametrize("name", ["tutorial", "minimax", "wgan_gp_grid"])
def test_a_chinese_guides_button_opens_its_preset_in_chinese(name):
    app = guide_page_in("zh")
    with use_language("zh"):
        app.button(key=f"try_{name}").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.query_params == link_query(PRESETS[name].config, lang="zh")
    assert app.session_state[language.STATE_KEY] == "zh"  # the dashboard reads Chinese


def test_the_english_guide_stays_english():
    app = guide_page_in("en")
    assert [h.value for h in app.header] == [
        "Two players and a cloud of points",
        "What the dashboard shows",
        "Why D's loss settles at 2·ln 2",
        "An exact distance, at every step",
        "Experiments",
    ]
    texts = [t for t in visible_texts(app) if t not in language_switch_texts()]
    assert not [t for t in texts if has_chinese(t)]
    assert app.button(key="try_tutorial").label == "Load “The seed tutorial” on the dashboard"
