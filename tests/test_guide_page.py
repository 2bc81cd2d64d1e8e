"""The Guide page (AppTest) and how its experiments are matched to the presets."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gan_core.config import GanConfig
from gan_core.presets import PRESETS, Preset
from tests.test_dashboard_app import link_query
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
