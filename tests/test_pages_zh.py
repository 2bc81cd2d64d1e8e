"""The Sweep, Compare and Board pages in Simplified Chinese (AppTest, real training and a real
run store): every word a person reads is Chinese, apart from names and symbols; the same
pages in English keep their English words.

Run names and a challenge's title are people's own text: the runs here have short names
(and the title is Chinese) so that a name never passes for an untranslated label.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gan_core.classroom.challenge import Challenge
from gan_core.config import GanConfig
from gan_core.presets import preset_config
from gan_core.store.recorder import record_trainer
from gan_core.store.run_store import RunStore
from gan_core.training.trainer import Trainer
from tests.i18n_check import english_left, visible_texts
from ui.session import session_id, teacher

REPO_ROOT = Path(__file__).resolve().parent.parent
SESSION = "pages-zh-test-session"
KEY = "pages-zh-teacher-key"
SMALL = GanConfig(n_samples=200, batch_size=20, epochs=3)  # 30 steps
SWEEP_BASE = preset_config("tutorial").replace(epochs=1)  # 250 steps a run


@pytest.fixture(scope="module")
def trainers() -> list[Trainer]:
    trained = []
    for config in (SMALL, SMALL.replace(lr_d=0.02, lr_g=0.05, seed=2)):
        trainer = Trainer(config)
        trainer.run()
        trained.append(trainer)
    return trained


@pytest.fixture
def store(tmp_path, monkeypatch) -> RunStore:
    monkeypatch.setenv("GANSCOPE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv(teacher.ENV_VAR, KEY)
    opened = RunStore(tmp_path / "data")
    yield opened
    opened.close()


@pytest.fixture
def seeded(store, trainers) -> tuple[RunStore, list[int]]:
    """Two runs of this session (the newer one published) and one a classmate published."""
    mine = [
        record_trainer(store, trainers[0], name="A1", session_id=SESSION),
        record_trainer(store, trainers[1], name="B2", session_id=SESSION),
    ]
    theirs = record_trainer(store, trainers[0], name="C3", session_id="a-classmate")
    for run_id in (mine[1], theirs):
        store.set_flags(run_id, published=True)
    return store, [*mine, theirs]


def page(path: str, lang: str, **state) -> AppTest:
    """`path` inside the whole app, opened from a link with `lang=`."""
    app = AppTest.from_file(str(REPO_ROOT / "dashboard.py"), default_timeout=90)
    app.query_params["lang"] = lang
    app.session_state[session_id.STATE_KEY] = SESSION
    app.run()
    for key, value in state.items():
        app.session_state[key] = value
    app.switch_page(path)
    return app.run()


def no_exceptions(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]


# The only Latin words left: the language switch names each language in its own words.
ELSEWHERE = {"English", "Language / 语言"}


def made_here(text: str) -> bool:
    return text not in ELSEWHERE


def all_chinese(app: AppTest) -> None:
    no_exceptions(app)
    left = [text for text in english_left(app) if made_here(text)]
    assert left == [], "\n".join(left)


def shows(app: AppTest, *texts: str) -> None:
    seen = "\n".join(visible_texts(app))
    for text in texts:
        assert text in seen, (text, seen[:2000])


def test_the_sweep_page_in_chinese_before_and_after_a_small_sweep():
    app = page("pages/1_Sweep.py", "zh", config=SWEEP_BASE)
    all_chinese(app)
    shows(app, "参数扫描", "基准设置", "扫描轴 1", "每格随机种子数", "运行")
    app.radio(key="sweep.axis1.lr_d.mode").set_value("list").run()
    app.text_input(key="sweep.axis1.lr_d.list").set_value("0.01, 0.1").run()
    app.radio(key="sweep.axis2.lr_g.mode").set_value("list").run()
    app.text_input(key="sweep.axis2.lr_g.list").set_value("0.05").run()
    all_chinese(app)
    shows(app, "2 格 × 1 个随机种子 = 2 次训练")
    app.button(key="sweep.run").click().run()
    job = app.session_state["sweep_slot"].job
    assert job is not None and job.join(timeout=180)
    app.run()
    all_chinese(app)
    shows(app, "结果", "各格结果（CSV）", "全部训练（CSV）", "在主页面打开", "D 的学习率")
    # A refusal from the form is in Chinese too (its value is the person's own text).
    app.text_input(key="sweep.axis1.lr_d.list").set_value("0.01, 0.01").run()
    no_exceptions(app)
    assert app.error and app.button(key="sweep.run").disabled


def test_the_sweep_page_in_english_keeps_its_words():
    app = page("pages/1_Sweep.py", "en", config=SWEEP_BASE)
    no_exceptions(app)
    shows(app, "Sweep", "Base setup", "Axis 1", "Seeds per cell", "Run")


def test_the_compare_page_in_chinese_with_runs_tables_and_actions(seeded):
    app = page("pages/2_Compare.py", "zh")
    all_chinese(app)
    shows(app, "对比训练", "要对比的训练", "曲线", "结果", "设置", "发布到班级", "导入训练记录")
    app.button(key="delete").click().run()  # asks before deleting
    all_chinese(app)
    shows(app, "确认删除", "取消")
    app.button(key="delete_cancel").click().run()
    app.radio(key="runs_view").set_value("Published to the class").run()
    all_chinese(app)
    shows(app, "已发布到班级", "我的")


def test_the_compare_page_in_chinese_without_runs(store):
    app = page("pages/2_Compare.py", "zh")
    all_chinese(app)
    shows(app, "还没有保存的训练记录：在主页面训练一次，它就会出现在这里。")


def test_the_compare_page_in_english_keeps_its_words(seeded):
    app = page("pages/2_Compare.py", "en")
    no_exceptions(app)
    shows(app, "Compare runs", "Runs to compare", "Curves", "Publish to the class")


def test_the_board_in_chinese_with_a_challenge_a_leaderboard_and_the_teachers_form(seeded):
    store, _ids = seeded
    challenge = Challenge(title="三十步挑战", target=SMALL.target, step_limit=30)
    store.set_challenge(challenge.to_json())
    app = page("pages/4_Board.py", "zh")
    all_chinese(app)
    shows(app, "班级看板", "已发布的训练", "三十步挑战", "教师密钥", "解锁教师操作")
    assert app.dataframe, "the leaderboard is drawn"
    app.text_input(key=teacher.FIELD_KEY).input(KEY)
    app.button(key="teacher_unlock").click().run()
    all_chinese(app)
    shows(app, "设置挑战", "清除挑战", "步数上限", "退出教师身份")
    app.text_input(key="challenge_d_hidden").input("abc")
    app.button(key="challenge_set").click().run()  # refused: D's widths are not numbers
    no_exceptions(app)
    assert app.error


def test_an_empty_board_in_chinese(store):
    app = page("pages/4_Board.py", "zh")
    all_chinese(app)
    shows(app, "尚未设置挑战：教师可在本页侧边栏中设置。")


def test_the_board_in_english_keeps_its_words(seeded):
    app = page("pages/4_Board.py", "en")
    no_exceptions(app)
    shows(app, "Class board", "Published runs", "Teacher key")
