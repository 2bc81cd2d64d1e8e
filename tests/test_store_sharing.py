"""A run belongs to its maker: renaming, publishing to the class and deleting, as the store
checks them (the page only hides the buttons; these checks are what holds)."""

from __future__ import annotations

import pytest

from gan_core.config import ConfigError, GanConfig
from gan_core.store.run_store import (
    MAX_NEW_NAME_CHARS,
    NotAllowed,
    RunNotFound,
    RunStore,
    check_new_name,
)

CONFIG = GanConfig(n_samples=200, batch_size=20, epochs=3)
MAKER = "the-session-that-made-it"
OTHER = "another-session-in-class"
LOG_ROW = (1, 0, 1.0, 1.0, 0.5, 0.5, 2.0, 0.1, 0.1)


@pytest.fixture
def store(tmp_path, store_url) -> RunStore:
    store = RunStore(tmp_path / "data", database_url=store_url())
    yield store
    store.close()


def made(store: RunStore, session: str | None = MAKER, name: str = "mine") -> int:
    run_id = store.create_run(CONFIG, session_id=session, name=name)
    store.append_history(run_id, [LOG_ROW])
    return run_id


def names(store: RunStore) -> dict[int, str]:
    runs = store.list_runs()
    return dict(zip(runs.id.tolist(), runs.name.tolist()))


def test_the_maker_renames_a_run(store):
    run_id = made(store)
    assert store.rename(run_id, "  wide D  ", MAKER) == "wide D"
    assert store.get_run(run_id).label == f"#{run_id} wide D"
    assert names(store) == {run_id: "wide D"}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "n" * (MAX_NEW_NAME_CHARS + 1),
            f"run name: '{'n' * 60}…' (61 characters) is too long: "
            f"at most {MAX_NEW_NAME_CHARS} characters allowed",
        ),
        (
            "bell\x07",
            "run name: 'bell\\x07' contains the control character U+0007: "
            "only printable characters allowed",
        ),
        ("two\nlines", "run name: 'two\\nlines' contains the control character U+000A"),
        ("   ", "run name: is empty: give the run a name"),
        ("<b>bold</b>", "run name: '<b>bold</b>' may hold only letters of any script, digits"),
        ("**粗体**", "run name: '**粗体**' may hold only letters of any script, digits"),
        ("名字\u202e", "run name: '名字\\u202e' contains the control character U+202E"),
        (42, "run name: 42 is not text"),
    ],
)
def test_a_bad_name_is_refused_naming_field_value_and_what_is_allowed(store, name, message):
    run_id = made(store)
    with pytest.raises(ConfigError, match="^run name") as refused:
        store.rename(run_id, name, MAKER)
    assert str(refused.value).startswith(message)
    assert refused.value.field == "run name"
    assert names(store) == {run_id: "mine"}  # nothing written


def test_a_name_in_chinese_is_taken(store):
    run_id = made(store)
    assert store.rename(run_id, "训练记录 (一) #1", MAKER) == "训练记录 (一) #1"
    assert names(store) == {run_id: "训练记录 (一) #1"}


def test_a_name_of_the_limit_is_taken():
    assert check_new_name("x" * MAX_NEW_NAME_CHARS) == "x" * MAX_NEW_NAME_CHARS


def test_only_the_maker_renames_publishes_or_deletes_an_unpublished_run(store):
    run_id = made(store)
    for session, teacher in [(OTHER, False), (OTHER, True), (None, True), (None, False)]:
        with pytest.raises(NotAllowed, match=f"run #{run_id} is not yours to rename"):
            store.rename(run_id, "taken", session, teacher=teacher)
        with pytest.raises(NotAllowed, match="to publish"):
            store.publish(run_id, True, session, teacher=teacher)
        deletion = store.delete_runs_of([run_id], session, teacher=teacher)
        assert deletion.refused == [run_id] and deletion.deleted == []
    assert names(store) == {run_id: "mine"}
    assert not store.list_runs().published.any()


def test_a_published_run_is_listed_for_everyone_and_still_its_makers(store):
    run_id = made(store)
    made(store, OTHER, "theirs")
    store.publish(run_id, True, MAKER)
    assert store.list_runs(published=True).id.tolist() == [run_id]
    assert store.list_runs(published=False).name.tolist() == ["theirs"]
    # Everyone sees it; nobody else may change it.
    with pytest.raises(NotAllowed, match="to unpublish"):
        store.publish(run_id, False, OTHER)
    with pytest.raises(NotAllowed, match="to rename"):
        store.rename(run_id, "mine now", OTHER)
    assert store.delete_runs_of([run_id], OTHER).refused == [run_id]
    # Its maker may take it back.
    store.publish(run_id, False, MAKER)
    assert store.list_runs(published=True).empty


def test_a_teacher_renames_unpublishes_and_deletes_a_published_run(store):
    first, second = made(store), made(store, name="second")
    store.publish(first, True, MAKER)
    store.publish(second, True, MAKER)
    assert store.rename(first, "seen by the class", OTHER, teacher=True) == "seen by the class"
    store.publish(first, False, OTHER, teacher=True)
    assert store.list_runs(published=True).id.tolist() == [second]
    # Unpublished again, it is its maker's alone: the teacher can no longer touch it.
    with pytest.raises(NotAllowed):
        store.publish(first, True, OTHER, teacher=True)
    deletion = store.delete_runs_of([first, second], OTHER, teacher=True)
    assert (deletion.deleted, deletion.refused, deletion.gone) == ([second], [first], [])
    assert names(store) == {first: "seen by the class"}


def test_teacher_must_be_exactly_true(store):
    """A truthy value that is not True (a key string handed on by mistake) grants nothing."""
    run_id = made(store)
    store.publish(run_id, True, MAKER)
    with pytest.raises(NotAllowed):
        store.rename(run_id, "x", OTHER, teacher="the key")  # type: ignore[arg-type]


def test_deleting_reports_runs_already_gone(store):
    kept, gone = made(store), made(store)
    store.delete_run(gone)
    deletion = store.delete_runs_of([gone, kept, kept], MAKER)
    assert (deletion.deleted, deletion.gone, deletion.refused) == ([kept], [gone], [])
    assert store.list_runs().empty


def test_acting_on_a_missing_run_says_so(store):
    with pytest.raises(RunNotFound, match="no run #7"):
        store.rename(7, "x", MAKER)
    with pytest.raises(RunNotFound):
        store.publish(7, True, MAKER)


def test_a_run_filed_under_no_session_is_nobodys_to_change(store):
    """CLI runs have no session: a page without a session id must not count as their maker."""
    run_id = made(store, session=None)
    with pytest.raises(NotAllowed):
        store.rename(run_id, "x", None)
    assert store.delete_runs_of([run_id], None).refused == [run_id]
