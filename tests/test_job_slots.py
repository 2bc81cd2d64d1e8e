"""The cap on concurrent jobs, each person's share of it and its queue, and the limits
read from the environment."""

import threading

import pytest

from gan_core.jobs import limits as job_limits
from gan_core.jobs.slots import ADDRESS, FREE_SLOT, SESSION, JobSlots, Owner, Wait

ANNA, BEN, CARL = Owner("anna", "10.0.0.1"), Owner("ben", "10.0.0.2"), Owner("carl", "10.0.0.3")


def test_slots_fill_then_queue_in_arrival_order():
    slots = JobSlots(2)
    assert slots.enter("a") and slots.enter("b")
    assert not slots.enter("c") and not slots.enter("d")
    assert slots.position("c") == (1, 2) and slots.position("d") == (2, 2)
    assert slots.position("a") is None
    slots.leave("a")
    assert slots.running_count() == 2 and slots.position("c") is None  # c took a's slot
    assert slots.position("d") == (1, 1)
    with pytest.raises(ValueError):
        slots.enter("d")


def test_a_newcomer_does_not_jump_the_queue():
    slots = JobSlots(1)
    slots.enter("a")
    slots.enter("b")
    slots.leave("a")
    assert not slots.enter("c")  # b holds the slot now; c waits behind nobody but b's run
    assert slots.position("c") == (1, 1)


def test_withdraw_only_leaves_the_queue():
    slots = JobSlots(1)
    slots.enter("a")
    slots.enter("b")
    slots.enter("c")
    assert not slots.withdraw("a")  # running jobs keep their slot
    assert slots.withdraw("b") and not slots.withdraw("b")
    assert slots.position("c") == (1, 1) and slots.running_count() == 1
    slots.leave("zzz")  # unknown: nothing happens


def test_wait_turn_wakes_when_a_slot_frees():
    slots = JobSlots(1)
    slots.enter("a")
    slots.enter("b")
    got = []
    waiter = threading.Thread(target=lambda: got.append(slots.wait_turn("b", 30)))
    waiter.start()
    slots.leave("a")
    waiter.join(30)
    assert got == [True]
    assert not slots.wait_turn("gone", 30)  # neither running nor waiting: no wait at all


def test_limits_from_the_environment(monkeypatch):
    monkeypatch.delenv(job_limits.MAX_JOBS_ENV, raising=False)
    monkeypatch.delenv(job_limits.WORKERS_ENV, raising=False)
    assert job_limits.max_jobs() == job_limits.JOBS_PER_CORE * job_limits.cores()
    assert job_limits.pool_size() == job_limits.max_jobs()  # a warm worker for every slot
    monkeypatch.setenv(job_limits.MAX_JOBS_ENV, " 3 ")
    monkeypatch.setenv(job_limits.WORKERS_ENV, "0")
    assert job_limits.max_jobs() == 3 and job_limits.pool_size() == 0
    for bad in ("0", "-2", "two", "1.5"):
        monkeypatch.setenv(job_limits.MAX_JOBS_ENV, bad)
        with pytest.raises(ValueError, match="GANSCOPE_MAX_JOBS"):
            job_limits.max_jobs()


# ---------------------------------------------------------------------- each person's share


def test_a_session_runs_one_job_and_its_next_waits_without_blocking_others():
    """The greedy student: four jobs of one session, then others; one slot each."""
    slots = JobSlots(4, per_session=1)
    assert slots.enter("greedy-1", ANNA)
    for tab in ("greedy-2", "greedy-3", "greedy-4"):
        assert not slots.enter(tab, ANNA)  # three slots free, but Anna has her one
    assert slots.enter("ben", BEN) and slots.enter("carl", CARL)  # past Anna's queued jobs
    assert slots.running_count() == 3 and slots.waiting_count() == 3
    wait = slots.waiting("greedy-2")
    assert wait is not None and wait.waits_for == SESSION and wait.limit == 1
    slots.leave("greedy-1")  # Anna's next job takes her slot, in the order she asked
    assert slots.waiting("greedy-2") is None and slots.waiting("greedy-3").waits_for == SESSION


def test_a_blocked_session_does_not_hold_up_the_queue_behind_it():
    slots = JobSlots(2, per_session=1)
    slots.enter("anna-1", ANNA)
    slots.enter("ben-1", BEN)
    slots.enter("anna-2", ANNA)  # ahead of Carl in the queue, but Anna is running already
    slots.enter("carl-1", CARL)
    assert slots.waiting("carl-1") == Wait(1, 1, FREE_SLOT, 2)  # Anna's job is not ahead
    slots.leave("ben-1")
    assert slots.waiting("carl-1") is None  # Carl took Ben's slot, not Anna's second job
    assert slots.waiting("anna-2").waits_for == SESSION
    slots.leave("anna-1")
    assert slots.waiting("anna-2") is None and slots.running_count() == 2


def test_the_queue_is_first_come_among_those_who_may_run():
    slots = JobSlots(1, per_session=1)
    slots.enter("anna-1", ANNA)
    for job, owner in (("ben-1", BEN), ("anna-2", ANNA), ("carl-1", CARL), ("ben-2", BEN)):
        slots.enter(job, owner)
    assert slots.position("ben-1") == (1, 3) and slots.position("carl-1") == (2, 3)
    assert slots.position("ben-2") == (3, 3)
    queued, started = ["ben-1", "anna-2", "carl-1", "ben-2"], []
    for leaving in ("anna-1", "ben-1", "anna-2", "carl-1"):
        slots.leave(leaving)
        started += [job for job in queued if job not in started and slots.waiting(job) is None]
    assert started == queued


def test_one_address_holds_at_most_its_share_whatever_the_sessions():
    """Private windows are new sessions, but they share the machine's address."""
    slots = JobSlots(4, per_session=1, per_address=2)
    windows = [Owner(f"window-{i}", "10.0.0.9") for i in range(3)]
    assert slots.enter("w0", windows[0]) and slots.enter("w1", windows[1])
    assert not slots.enter("w2", windows[2])
    assert slots.waiting("w2") == Wait(1, 0, ADDRESS, 2)
    assert slots.enter("ben", BEN)  # another address: past the held-back window
    slots.leave("w0")
    assert slots.waiting("w2") is None


def test_unknown_sessions_and_addresses_are_not_grouped():
    slots = JobSlots(3, per_session=1, per_address=1)
    assert slots.enter("a", Owner(None, None)) and slots.enter("b", Owner(None, None))
    assert slots.enter("c", Owner("local", None))  # localhost: no address to group by


def test_a_stopping_job_no_longer_counts_as_its_owners():
    slots = JobSlots(2, per_session=1)
    slots.enter("old", ANNA)
    assert not slots.enter("new", ANNA)
    slots.disown("old")  # stopped: it keeps its slot until it has left...
    assert slots.waiting("new") is None  # ...but Anna's next run need not wait for it
    assert slots.running_count() == 2
    slots.disown("never-entered")  # unknown: nothing happens


def test_the_cap_still_holds_for_owners_within_their_share():
    slots = JobSlots(2, per_session=1, per_address=2)
    assert slots.enter("a", ANNA) and slots.enter("b", BEN)
    assert not slots.enter("c", CARL)
    assert slots.waiting("c") == Wait(1, 1, FREE_SLOT, 2)


def test_bad_limits_are_refused():
    for limits in ((0, None, None), (2, 0, None), (2, 1, 0)):
        with pytest.raises(ValueError, match="at least 1"):
            JobSlots(*limits)


# ---------------------------------------------------------------------- the server's settings


def test_shares_from_the_environment(monkeypatch):
    monkeypatch.delenv(job_limits.PER_SESSION_ENV, raising=False)
    monkeypatch.delenv(job_limits.PER_ADDRESS_ENV, raising=False)
    assert job_limits.per_session() == 1 and job_limits.per_address() == 2
    monkeypatch.setenv(job_limits.PER_SESSION_ENV, "2")
    monkeypatch.setenv(job_limits.PER_ADDRESS_ENV, "30")
    assert job_limits.per_session() == 2 and job_limits.per_address() == 30
    for bad in ("0", "one"):
        monkeypatch.setenv(job_limits.PER_ADDRESS_ENV, bad)
        with pytest.raises(ValueError, match="GANSCOPE_MAX_JOBS_PER_ADDRESS"):
            job_limits.per_address()
    monkeypatch.setenv(job_limits.PER_ADDRESS_ENV, " ")  # blank: the default
    assert job_limits.per_address() == 2


def test_every_bad_setting_is_one_line_naming_variable_value_and_what_is_allowed(monkeypatch):
    for name in (job_limits.MAX_JOBS_ENV, job_limits.WORKERS_ENV, job_limits.PER_SESSION_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv(job_limits.PER_ADDRESS_ENV, raising=False)
    assert job_limits.check_server_settings() == []
    monkeypatch.setenv(job_limits.MAX_JOBS_ENV, "abc")
    monkeypatch.setenv(job_limits.WORKERS_ENV, "-1")
    monkeypatch.setenv(job_limits.PER_SESSION_ENV, "0")
    monkeypatch.setenv(job_limits.PER_ADDRESS_ENV, "2.5\nrm -rf")
    assert job_limits.check_server_settings() == [
        "GANSCOPE_MAX_JOBS must be a whole number >= 1, not 'abc'",
        "GANSCOPE_WORKERS must be a whole number >= 0, not '-1'",
        "GANSCOPE_MAX_JOBS_PER_SESSION must be a whole number >= 1, not '0'",
        "GANSCOPE_MAX_JOBS_PER_ADDRESS must be a whole number >= 1, not '2.5\\nrm -rf'",
    ]
