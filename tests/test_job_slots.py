"""The cap on concurrent jobs and its queue, and the limits read from the environment."""

import threading

import pytest

from gan_core.jobs import limits as job_limits
from gan_core.jobs.slots import JobSlots


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
    assert job_limits.max_jobs() == 2 * job_limits.cores()
    assert job_limits.pool_size() == job_limits.cores()
    monkeypatch.setenv(job_limits.MAX_JOBS_ENV, " 3 ")
    monkeypatch.setenv(job_limits.WORKERS_ENV, "0")
    assert job_limits.max_jobs() == 3 and job_limits.pool_size() == 0
    for bad in ("0", "-2", "two", "1.5"):
        monkeypatch.setenv(job_limits.MAX_JOBS_ENV, bad)
        with pytest.raises(ValueError, match="GANSCOPE_MAX_JOBS"):
            job_limits.max_jobs()
