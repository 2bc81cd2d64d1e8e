"""The engine's messages and names in Chinese: every refusal of the bad-input catalogue,
the presets' titles and lessons, the choices' display names and the board's reasons.

A Chinese refusal must still name the field (its key, with the setting's Chinese name
beside it), and keep the value and what is allowed exactly as the English one writes them;
in English every message stays word for word what the catalogue promises.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gan_core.classroom.check import Reason, Verdict
from gan_core.config import (
    ACTIVATIONS,
    LOSSES,
    NOISE_KINDS,
    OPTIMIZERS,
    TARGET_KINDS,
    ConfigError,
    GanConfig,
    activation_name,
    loss_name,
    noise_name,
    optimizer_name,
    setting_name,
    target_kind_name,
)
from gan_core.i18n import use_language
from gan_core.presets import PRESETS
from gan_core.store.run_store import RunStore
from tests.bad_inputs import CATALOGUE, BadInput
from tests.i18n_check import has_chinese
from tests.markdown_text import shown
from tests.test_bad_inputs import PARSERS, assert_seen

APP_SURFACES = ("url", "json", "csv", "checkpoint", "bundle")  # what the pages parse
# What a refusal must keep whatever the language: quoted values, numbers (with their
# grouping, exponents and signs) and intervals such as (0, 10] or [-10000, 10000].
_QUOTED = re.compile(r"'[^']*'")
_INTERVAL = re.compile(r"[\[(]-?[\d.e+]+, -?[\d.e+]+[\])]")
_NUMBER = re.compile(r"[-+]?\d+(?:,\d{3})*(?:\.\d+)?(?:e[-+]?\d+)?")


def _refusal(entry: BadInput, scratch, language: str) -> ConfigError:
    data = entry.build(scratch)
    with use_language(language), pytest.raises(ConfigError) as caught:
        if entry.surface == "bundle":
            store = RunStore(scratch / "store")
            try:
                store.import_bundle(data)
            finally:
                store.close()
        else:
            PARSERS[entry.surface](data)
    return caught.value


def _kept(english: str) -> list[str]:
    """The values, numbers and ranges of an English message, as any translation keeps them."""
    pieces = _QUOTED.findall(english) + _INTERVAL.findall(english)
    rest = _INTERVAL.sub(" ", _QUOTED.sub(" ", english))
    return pieces + _NUMBER.findall(rest)


def _field_as_named(field: str) -> list[str]:
    """What the head of a Chinese refusal shows for `field`."""
    if field.startswith("'"):  # an unknown key, quoted (and cut short, with its length)
        return _kept(field)
    run = re.fullmatch(r"run (\d+)(?: (.+))?", field)
    if run:
        number, part = run.groups()
        return [f"第 {number} 次训练", *([part] if part else [])]
    with use_language("zh"):
        name = setting_name(field)
    if " " in field:
        return [name] if name else [field]
    return [field, name] if name else [field]


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param(entry, id=f"{entry.surface}-{entry.description}")
        for entry in CATALOGUE
        if entry.surface in APP_SURFACES and not entry.known_bug
    ],
)
def test_every_refusal_of_the_catalogue_is_chinese_and_keeps_field_value_and_range(entry, tmp_path):
    english = _refusal(entry, tmp_path / "en", "en")
    chinese = _refusal(entry, tmp_path / "zh", "zh")
    assert_seen(str(english), entry)  # English: word for word as today
    text = str(chinese)
    assert chinese.field == english.field == entry.field
    assert has_chinese(text), text
    assert "\n" not in text
    head = text.split("：", 1)[0]
    for name in _field_as_named(entry.field):
        assert name in head, (name, text)
    for piece in _kept(str(english).removeprefix(f"{entry.field}: ")):
        assert piece in text, (piece, text)


def test_a_setting_is_named_by_its_key_in_english_and_beside_its_chinese_name():
    with use_language("en"):
        english = str(_refusal_of(lr_d=0))
    with use_language("zh"):
        chinese = str(_refusal_of(lr_d=0))
    assert english == "lr_d: 0 is out of range: allowed (0, 10]"
    assert chinese == "lr_d（判别器学习率）：0 超出范围：允许 (0, 10]"


def _refusal_of(**settings) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        GanConfig(**settings)
    return caught.value


def test_presets_show_their_titles_and_lessons_in_the_readers_language():
    for preset in PRESETS.values():
        with use_language("en"):
            assert preset.display_title() == preset.title
            assert preset.display_explanation() == preset.explanation
        with use_language("zh"):
            assert has_chinese(preset.display_title()), preset.name
            assert has_chinese(preset.display_explanation()), preset.name
    with use_language("zh"):
        assert PRESETS["ring_collapse"].display_title() == "环形目标上的模式崩溃"


def test_every_choice_has_a_display_name_and_its_value_stays_english():
    with use_language("zh"):
        assert target_kind_name("ring") == "环形（8 个模态）"
        assert loss_name("least_squares") == "最小二乘"
        assert optimizer_name("sgd") == "SGD（动量 = β1）"
        assert noise_name("uniform") == "均匀分布 U(-1, 1)"
        assert activation_name("leaky_relu") == "Leaky ReLU"
        names = [
            *map(target_kind_name, TARGET_KINDS),
            *map(loss_name, LOSSES),
            *map(noise_name, NOISE_KINDS),
        ]
        assert all(has_chinese(n) for n in names), names
        assert [optimizer_name(o) for o in OPTIMIZERS] == ["Adam", "SGD（动量 = β1）"]
    with use_language("en"):
        assert target_kind_name("grid") == "Grid (25 modes)"
        assert loss_name("cross_entropy") == "Cross-entropy (non-saturating G)"
        assert [activation_name(a) for a in ACTIVATIONS] == [
            "tanh",
            "ReLU",
            "Leaky ReLU",
            "ELU",
            "sigmoid",
        ]


def test_a_verdicts_reasons_follow_the_reader_not_the_language_it_was_made_in():
    # A board caches verdicts across readers: one made for an English reader reads in Chinese.
    with use_language("en"):
        verdict = Verdict(
            run_id=1,
            label="#1 a",
            distance=0.5,
            steps=30,
            why=(Reason("it is still training"),),
        )
        assert verdict.reasons == ("it is still training",)
    with use_language("zh"):
        assert verdict.reasons == ("仍在训练中",)
    assert not verdict.counts


def test_the_sidebar_refuses_a_learning_rate_in_chinese_keeping_the_value(tmp_path, monkeypatch):
    monkeypatch.setenv("GANSCOPE_DATA_DIR", str(tmp_path / "data"))
    at = AppTest.from_file(
        str(Path(__file__).resolve().parent.parent / "dashboard.py"), default_timeout=60
    )
    at.query_params["lang"] = "zh"
    at.run()
    at.number_input(key="w.lr_d").set_value(0.0).run()
    assert not at.exception
    refusals = [shown(e.value) for e in at.error if "lr_d" in shown(e.value)]
    assert len(refusals) == 1, [shown(e.value) for e in at.error]
    assert "lr_d（判别器学习率）：0 超出范围：允许 (0, 10]" in refusals[0]
    assert at.session_state["config"].lr_d == GanConfig().lr_d  # the previous value is kept
