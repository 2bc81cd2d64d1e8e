"""The Compare page (AppTest): runs published to the class, renaming, the teacher key, empty
runs left out and the shared step axis, against a real store of real, short runs."""

from __future__ import annotations

import pytest

from gan_core.store.recorder import record_trainer
from gan_core.store.run_store import MAX_NEW_NAME_CHARS, RunStore
from tests.markdown_text import shown
from tests.test_compare_page import (
    OTHER_SESSION,
    SESSION,
    TUTORIAL,
    charts,
    compare_page,
    no_exceptions,
    runs_chooser,
    store,  # noqa: F401 (a fixture, used by name)
    trainers,  # noqa: F401 (a fixture)
    values,
)
from ui import compare_runs
from ui.session import teacher

KEY = "correct horse battery staple"


@pytest.fixture
def shared(store, trainers) -> tuple[RunStore, int, int]:  # noqa: F811
    """One run of this session's, and one of another session's published to the class."""
    mine = record_trainer(store, trainers[0], name="mine", session_id=SESSION)
    theirs = record_trainer(store, trainers[1], name="theirs", session_id=OTHER_SESSION)
    store.publish(theirs, True, OTHER_SESSION)
    return store, mine, theirs


def listed(app) -> list[str]:
    return app.dataframe[0].value.label.tolist()


def show_published(app):
    return app.radio(key="runs_view").set_value(compare_runs.PUBLISHED).run()


def message_texts(app) -> list[str]:
    return [shown(m.value) for m in [*app.error, *app.warning, *app.success, *app.caption]]


def test_published_runs_are_a_separate_list_that_others_cannot_change(shared):
    saved, mine, theirs = shared
    app = compare_page()
    no_exceptions(app)
    assert listed(app) == [f"#{mine} mine"]  # "Mine" first: only this session's
    show_published(app)
    no_exceptions(app)
    table = app.dataframe[0].value
    assert table.label.tolist() == [f"#{theirs} theirs"]
    assert table.published.tolist() == [True] and table.yours.tolist() == [False]
    assert runs_chooser(app).value == [theirs]
    assert len(charts(app)) == 2  # a published run is compared like one's own
    # Nothing to change it with: no name box, no publish, no delete.
    keys = {b.key for b in app.button} | {t.key for t in app.text_input}
    assert not keys & {f"rename_{theirs}", f"publish_{theirs}", f"name_{theirs}", "delete"}
    assert any("only its maker or a teacher" in text for text in message_texts(app))


def test_the_maker_publishes_renames_and_unpublishes(shared):
    saved, mine, theirs = shared
    app = compare_page()
    runs_chooser(app).set_value([mine]).run()
    app.button(key=f"publish_{mine}").click().run()
    no_exceptions(app)
    assert f"#{mine} mine is published" in shown(app.success[0].value)
    assert set(saved.list_runs(published=True).id) == {mine, theirs}
    assert app.dataframe[0].value.published.tolist() == [True]

    app.text_input(key=f"name_{mine}").set_value("wide D (for the class)").run()
    app.button(key=f"rename_{mine}").click().run()
    no_exceptions(app)
    assert shown(app.success[0].value) == f"Renamed #{mine} mine to #{mine} wide D (for the class)."
    assert saved.get_run(mine).name == "wide D (for the class)"
    assert listed(app) == [f"#{mine} wide D (for the class)"]

    # The other session sees it, renamed, among the published runs.
    other = show_published(compare_page(OTHER_SESSION))
    assert sorted(listed(other)) == sorted([f"#{mine} wide D (for the class)", f"#{theirs} theirs"])

    app.button(key=f"publish_{mine}").click().run()  # now "Unpublish"
    assert set(saved.list_runs(published=True).id) == {theirs}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("[link](https://evil.example) <b>", "run name: '[link](https://evil.example) <b>' may"),
        ("tab\there", "run name: 'tab\\there' contains the control character U+0009"),
    ],
)
def test_a_bad_name_is_refused_in_plain_words_and_nothing_changes(shared, name, message):
    saved, mine, _ = shared
    app = compare_page()
    runs_chooser(app).set_value([mine]).run()
    box = app.text_input(key=f"name_{mine}")
    assert (
        box.max_chars == MAX_NEW_NAME_CHARS
    )  # a longer one cannot be typed (the store refuses it too)
    box.set_value(name).run()
    app.button(key=f"rename_{mine}").click().run()
    no_exceptions(app)
    assert shown(app.error[0].value).startswith(message)
    assert "](" not in app.error[0].value  # escaped: no link can start
    assert saved.get_run(mine).name == "mine"


def test_runs_with_no_logged_step_are_not_listed(shared):
    saved, mine, _ = shared
    saved.create_run(TUTORIAL, session_id=SESSION, name="just started")
    app = compare_page()
    no_exceptions(app)
    assert listed(app) == [f"#{mine} mine"]
    assert "1 run with no logged step yet is not listed." in message_texts(app)
    assert runs_chooser(app).options == [f"#{mine} mine"]


def test_only_empty_runs_read_as_no_runs_yet(store):  # noqa: F811
    store.create_run(TUTORIAL, session_id=SESSION, name="just started")
    app = compare_page()
    no_exceptions(app)
    assert "No saved runs yet" in app.info[0].value
    assert "1 run with no logged step yet is not listed." in message_texts(app)


def test_runs_of_different_lengths_share_a_step_axis(store, trainers):  # noqa: F811
    short = record_trainer(store, trainers[0], name="short", session_id=SESSION)
    # The same run, logged only to half its planned steps (stopped half way).
    half = store.create_run(trainers[1].config, session_id=SESSION, name="half")
    frame = trainers[1].history.to_frame()
    store.append_history(half, frame.iloc[: len(frame) // 2])
    app = compare_page()
    runs_chooser(app).set_value([short, half]).run()
    steps = charts(app)[1]
    assert steps.layout.xaxis.title.text == "step"

    app.radio(key="step_axis").set_value("fraction").run()
    no_exceptions(app)
    for figure in charts(app):
        assert figure.layout.xaxis.tickformat == ".0%"
    first, second = charts(app)[1].data
    assert values(first.x)[-1] == pytest.approx(1.0)  # ran its whole plan
    assert values(second.x)[-1] == pytest.approx(0.5)  # half of its plan

    app.radio(key="step_axis").set_value("log").run()
    no_exceptions(app)
    assert all(figure.layout.xaxis.type == "log" for figure in charts(app))


def unlock(app, key: str):
    app.text_input(key=teacher.FIELD_KEY).set_value(key)
    return next(b for b in app.button if b.label == "Unlock teacher actions").click().run()


def test_the_teacher_key_lets_a_teacher_delete_a_published_run(shared, monkeypatch):
    saved, mine, theirs = shared
    monkeypatch.setenv(teacher.ENV_VAR, KEY)
    app = show_published(compare_page())
    assert "delete" not in {b.key for b in app.button}
    unlock(app, "not the key")
    no_exceptions(app)
    assert "That is not the teacher key." in message_texts(app)
    assert "delete" not in {b.key for b in app.button}

    unlock(app, KEY)
    no_exceptions(app)
    assert any("Teacher key accepted" in text for text in message_texts(app))
    # Only a digest of the key is kept, and the box that held it is cleared.
    assert app.session_state[teacher.STATE_KEY] != KEY
    assert teacher.FIELD_KEY not in app.session_state or not app.session_state[teacher.FIELD_KEY]
    app.button(key="delete").click().run()
    app.button(key="delete_confirm").click().run()
    no_exceptions(app)
    assert "Deleted 1 run." in shown(app.success[0].value)
    assert saved.list_runs().id.tolist() == [mine]


def test_a_key_changed_after_unlocking_is_refused_at_the_click(shared, monkeypatch):
    saved, mine, theirs = shared
    monkeypatch.setenv(teacher.ENV_VAR, KEY)
    app = unlock(show_published(compare_page()), KEY)
    app.button(key="delete").click().run()
    monkeypatch.setenv(teacher.ENV_VAR, "a new key for the next lesson")
    app.button(key="delete_confirm").click().run()
    no_exceptions(app)
    assert f"Not deleted: #{theirs} theirs." in shown(app.error[0].value)
    assert theirs in saved.list_runs().id.tolist()


def test_without_a_configured_key_nobody_is_a_teacher(shared, monkeypatch):
    monkeypatch.delenv(teacher.ENV_VAR, raising=False)
    app = show_published(compare_page())
    no_exceptions(app)
    assert not [t for t in app.text_input if t.key == teacher.FIELD_KEY]
    assert any("No teacher key is set" in text for text in message_texts(app))


def test_wrong_teacher_keys_are_limited_then_refused_even_when_right(shared, monkeypatch):
    """Guessing stays slow: after MAX_WRONG_KEYS wrong keys in the window, even the right
    key waits, and the page says how long."""
    monkeypatch.setenv(teacher.ENV_VAR, "the right key")
    monkeypatch.setattr(teacher, "_wrong_keys", {})
    app = compare_page()
    for _ in range(teacher.MAX_WRONG_KEYS):
        unlock(app, "a guess")
        assert "That is not the teacher key." in message_texts(app)
    unlock(app, "the right key")
    assert any("Too many wrong teacher keys" in text for text in message_texts(app))
    assert not any("Teacher key accepted" in text for text in message_texts(app))
