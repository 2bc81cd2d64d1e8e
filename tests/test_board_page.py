"""The class board page (AppTest) against a real run store holding real, short training runs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pg_server import by_hand
from streamlit.testing.v1 import AppTest

from gan_core.classroom.challenge import Challenge
from gan_core.config import GanConfig, Target
from gan_core.store.record import LOST_AFTER_S
from gan_core.store.recorder import record_trainer
from gan_core.store.run_store import RunStore
from gan_core.training.trainer import Trainer
from tests.markdown_text import shown
from ui.board import gallery
from ui.session import teacher

REPO_ROOT = Path(__file__).resolve().parent.parent
KEY = "correct horse battery staple"
SMALL = GanConfig(n_samples=200, batch_size=20, epochs=3)  # 30 steps on the tutorial's target
CHALLENGE = Challenge(title="Closest in 30 steps", target=SMALL.target, step_limit=30)


@pytest.fixture(scope="module")
def trainers() -> dict[str, Trainer]:
    found = {}
    for name, config in {
        "slow": SMALL,
        "fast": SMALL.replace(lr_d=0.02, lr_g=0.05, seed=2),
        "elsewhere": SMALL.replace(target=Target(mean=(0.0, 0.0))),
    }.items():
        trainer = Trainer(config)
        trainer.run()
        found[name] = trainer
    return found


@pytest.fixture
def store(tmp_path, monkeypatch) -> RunStore:
    """An empty store in a fresh data directory, which the page finds through the env var;
    no teacher key unless a test sets one."""
    monkeypatch.setenv("GANSCOPE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv(teacher.ENV_VAR, raising=False)
    opened = RunStore(tmp_path / "data")
    yield opened
    opened.close()


def publish(store: RunStore, trainer: Trainer, name: str) -> int:
    run_id = record_trainer(store, trainer, name=name, session_id="a-student")
    assert run_id is not None
    store.set_flags(run_id, published=True)
    return run_id


def board() -> AppTest:
    app = AppTest.from_file(str(REPO_ROOT / "pages" / "4_Board.py"), default_timeout=60)
    return app.run()


def no_exceptions(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]


def texts(elements) -> list[str]:
    return [shown(e.value) for e in elements]


def tile_names(app: AppTest) -> list[str]:
    return [t for t in texts(app.markdown) if t.startswith("**#")]


def sign_in(app: AppTest, key: str = KEY) -> AppTest:
    app.text_input(key=teacher.FIELD_KEY).input(key)
    return next(b for b in app.button if b.label == "Unlock teacher actions").click().run()


def test_an_empty_board_explains_how_to_publish(store):
    app = board()
    no_exceptions(app)
    assert any("Nothing is published yet" in t and "Compare" in t for t in texts(app.info))
    assert any("No challenge is set" in t for t in texts(app.info))
    assert not app.get("plotly_chart")


def test_published_runs_are_drawn_small_newest_first_unpublished_ones_not(store, trainers):
    slow = publish(store, trainers["slow"], "slow")
    record_trainer(store, trainers["fast"], name="private")  # saved, never published
    fast = publish(store, trainers["fast"], "fast")
    app = board()
    no_exceptions(app)
    assert tile_names(app) == [f"**#{fast} fast**", f"**#{slow} slow**"]
    assert len(app.get("plotly_chart")) == 4  # a plane and a distance curve each
    distance = trainers["fast"].history.last()["frechet"]
    assert any(c.startswith(f"distance {distance:.4g}") for c in texts(app.caption))
    assert not any("Nothing is published" in t for t in texts(app.info))


def test_a_run_published_meanwhile_appears_on_the_next_refresh(store, trainers):
    app = board()
    assert tile_names(app) == []
    run_id = publish(store, trainers["slow"], "late")  # from another session
    app.run()  # what the page's timed refresh does
    assert tile_names(app) == [f"**#{run_id} late**"]


def test_at_most_the_newest_runs_are_drawn_with_a_note(store, trainers, monkeypatch):
    monkeypatch.setattr(gallery, "MAX_DRAWN", 2)
    ids = [publish(store, trainers["slow"], f"run {i}") for i in range(3)]
    app = board()
    no_exceptions(app)
    assert tile_names(app) == [f"**#{ids[2]} run 2**", f"**#{ids[1]} run 1**"]
    assert "The 2 newest of 3 published runs are drawn; the leaderboard ranks more." in texts(
        app.caption
    )


def test_the_teacher_sets_a_challenge_and_the_leaderboard_ranks_the_runs(
    store, trainers, monkeypatch
):
    monkeypatch.setenv(teacher.ENV_VAR, KEY)
    slow = publish(store, trainers["slow"], "slow")
    fast = publish(store, trainers["fast"], "fast")
    away = publish(store, trainers["elsewhere"], "elsewhere")
    app = sign_in(board())
    no_exceptions(app)
    assert any("Teacher key accepted" in text for text in texts(app.success))
    app.text_input(key="challenge_title").input("Closest in **30** steps")
    app.number_input(key="challenge_steps").set_value(30)
    app.button(key="challenge_set").click().run()
    no_exceptions(app)

    stored = Challenge.from_json(store.challenge())
    assert stored.title == "Closest in **30** steps" and stored.step_limit == 30
    assert stored.target == SMALL.target
    # The title is shown as the characters typed, never as Markdown.
    heading = next(h for h in app.subheader if "Closest" in h.value)
    assert shown(heading.value) == "Closest in **30** steps" != heading.value

    table = app.dataframe[0].value
    distances = {
        slow: trainers["slow"].history.last()["frechet"],
        fast: trainers["fast"].history.last()["frechet"],
    }
    ranked = sorted(distances, key=distances.get)
    labels = {slow: f"#{slow} slow", fast: f"#{fast} fast"}
    assert table.run.tolist() == [labels[ranked[0]], labels[ranked[1]], f"#{away} elsewhere"]
    assert table.place.tolist()[:2] == [1, 2] and table.place.isna().tolist()[2]
    assert table.distance.tolist()[:2] == pytest.approx(sorted(distances.values()))
    assert table["why it does not count"].tolist()[2].startswith("its target (mean (0, 0)")


def test_the_teacher_clears_the_challenge(store, monkeypatch):
    monkeypatch.setenv(teacher.ENV_VAR, KEY)
    store.set_challenge(CHALLENGE.to_json())
    app = sign_in(board())
    app.button(key="challenge_clear").click().run()
    no_exceptions(app)
    assert store.challenge() is None
    assert any("No challenge is set" in t for t in texts(app.info))


def test_a_bad_challenge_is_refused_naming_the_field_and_nothing_is_stored(store, monkeypatch):
    monkeypatch.setenv(teacher.ENV_VAR, KEY)
    app = sign_in(board())
    app.text_input(key="challenge_title").input("   ")
    app.button(key="challenge_set").click().run()
    no_exceptions(app)
    assert "title: 0 characters: allowed 1 to 80 (not blank)" in texts(app.error)
    app.text_input(key="challenge_title").input("ok")
    app.number_input(key="challenge_cov_xy").set_value(50.0)
    app.button(key="challenge_set").click().run()
    assert any(
        t.startswith("target.cov: ") and "not positive semi-definite" in t for t in texts(app.error)
    )
    assert store.challenge() is None


def test_without_the_key_no_one_can_set_the_challenge(store, trainers, monkeypatch):
    store.set_challenge(CHALLENGE.to_json())
    publish(store, trainers["slow"], "slow")
    app = board()  # no key set on the server: nobody is the teacher
    no_exceptions(app)
    assert "No teacher key is set on this server (GANSCOPE_TEACHER_KEY)." in texts(app.caption)
    assert not [w for w in app.text_input if w.key == "challenge_title"]
    assert any(h.value == "Closest in 30 steps" for h in app.subheader)  # everyone sees it

    monkeypatch.setenv(teacher.ENV_VAR, KEY)
    app = sign_in(board(), "a guess")
    no_exceptions(app)
    assert "That is not the teacher key." in texts(app.error)
    assert not [w for w in app.text_input if w.key == "challenge_title"]
    assert not [b for b in app.button if b.key == "challenge_clear"]
    assert Challenge.from_json(store.challenge()) == CHALLENGE


def test_a_changed_key_signs_the_teacher_out(store, monkeypatch):
    monkeypatch.setenv(teacher.ENV_VAR, KEY)
    app = sign_in(board())
    assert [w for w in app.text_input if w.key == "challenge_title"]
    monkeypatch.setenv(teacher.ENV_VAR, "a new key")
    app.run()
    assert not [w for w in app.text_input if w.key == "challenge_title"]


def write_by_hand(store: RunStore, sql: str, *params) -> None:
    with sqlite3.connect(store.path) as db:
        db.execute(sql, params)
    db.close()


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        (
            'UPDATE runs SET metrics = \'{"frechet": "abc"}\' WHERE id = ?',
            "metrics: frechet is 'abc'",
        ),
        ("UPDATE history SET loss_d = 'high' WHERE run_id = ?", "log: loss_d at row 0"),
        (
            "UPDATE blobs SET data = x'00' WHERE hash IN "
            "(SELECT blob FROM checkpoints WHERE run_id = ?)",
            "stored data",
        ),
    ],
)
def test_a_damaged_run_is_skipped_with_one_line_and_the_board_stays(store, trainers, sql, problem):
    store.set_challenge(CHALLENGE.to_json())
    good = publish(store, trainers["slow"], "good")
    bad = publish(store, trainers["fast"], "broken")
    write_by_hand(store, sql, bad)
    app = board()
    no_exceptions(app)
    assert tile_names(app) == [f"**#{good} good**"]
    notes = [
        t for t in texts(app.warning) if t.startswith(f"#{bad} broken is skipped: it is damaged")
    ]
    assert len(notes) == 1, texts(app.warning)
    assert problem in notes[0]
    ranked = app.dataframe[0].value.run.tolist()
    # A run whose log cannot be read is not ranked; one whose weights alone are damaged
    # is (the leaderboard reads the log), though its plane cannot be drawn.
    log_readable = problem == "stored data"
    assert sorted(ranked) == sorted([f"#{good} good", *([f"#{bad} broken"] * log_readable)])


def test_a_run_still_training_shows_its_curve_and_no_plane_yet(store, trainers):
    run_id = store.create_run(SMALL, name="training", session_id="a-student")
    store.append_history(run_id, trainers["slow"].history.to_frame().head(10))
    store.set_flags(run_id, published=True)
    app = board()
    no_exceptions(app)
    assert tile_names(app) == [f"**#{run_id} training**"]
    assert "No final plane yet: the run is still training." in texts(app.caption)
    assert len(app.get("plotly_chart")) == 1  # the distance curve alone


def test_a_run_whose_server_stopped_is_shown_lost_not_training(store, trainers):
    run_id = store.create_run(SMALL, name="left behind", session_id="a-student")
    store.append_history(run_id, trainers["slow"].history.to_frame().head(10))
    store.set_flags(run_id, published=True)
    app = board()  # drawn while it still counts as training: the tile is cached
    assert "No final plane yet: the run is still training." in texts(app.caption)
    by_hand(store, "UPDATE runs SET updated = updated - ? WHERE id = ?", LOST_AFTER_S + 60, run_id)
    app = board()
    no_exceptions(app)
    assert tile_names(app) == [f"**#{run_id} left behind**"]
    captions = texts(app.caption)
    assert "No plane: its server stopped before it saved any weights." in captions
    assert any(caption.endswith("· lost") for caption in captions), captions
