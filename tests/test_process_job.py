"""What only the process training job does: it borrows a pool worker and gives it back,
keeps its trainer in the worker, survives its worker's crash, waits in the queue past the
cap or past its owner's share, gives its worker back when its page goes away, and its
workers die with the server. Everything it shares with the thread job is
test_job_contract.py.

Real worker processes and real training throughout. No timings are asserted (the machine
is shared): waits are generous, and speed lives in benchmarks/concurrency.py.
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import psutil
import pytest

from gan_core.config import GanConfig
from gan_core.jobs.pool import WorkerPool, get_pool, shutdown_pool
from gan_core.jobs.process_job import ORPHANED, ProcessTrainingJob
from gan_core.jobs.slots import Owner
from gan_core.training.checkpoint import checkpoint_bytes, load_checkpoint
from gan_core.training.trainer import Trainer
from tests.job_helpers import FAST_VIEW, LONG, SHORT, wait_for, worker_processes

_POOLS: list[WorkerPool] = []  # every pool this module made, to tell their workers apart


def _new_pool(size, max_jobs) -> WorkerPool:
    pool = WorkerPool(size=size, max_jobs=max_jobs)
    _POOLS.append(pool)
    assert pool.wait_ready(60)
    return pool


@pytest.fixture(scope="module", autouse=True)
def no_workers_left_behind():
    # Another test module may have started the server's shared pool (importing the
    # dashboard does): close it, so every worker counted here is one this module made.
    shutdown_pool()
    yield
    for pool in _POOLS:
        pool.shutdown()
    assert wait_for(lambda: not worker_processes(), timeout=10), worker_processes()


@pytest.fixture(scope="module")
def pool():
    """Two warm workers, three jobs at most: a third job starts a worker of its own."""
    return _new_pool(size=2, max_jobs=3)


@pytest.fixture(scope="module")
def one_slot():
    return _new_pool(size=1, max_jobs=1)


def _job(pool, config=LONG, **options):
    return ProcessTrainingJob(config, view=FAST_VIEW, pool=pool, **options)


def _stop_all(*jobs):
    for job in jobs:
        job.stop()
    for job in jobs:
        assert job.wait(10)


# ---------------------------------------------------------------------- a worker of the pool


def test_a_running_job_holds_one_worker_and_gives_it_back(pool):
    job = _job(pool).start()
    try:
        assert wait_for(lambda: job.frame().status == "running")
        assert job.worker_pid in pool.worker_pids() and pool.busy_count() == 1
    finally:
        _stop_all(job)
    assert job.worker_pid is None
    assert wait_for(lambda: pool.busy_count() == 0 and pool.idle_count() == 2)


def test_the_live_trainer_stays_in_its_worker(pool):
    job = _job(pool, start_paused=True).start()
    try:
        assert wait_for(lambda: job.frame().status == "paused")
        assert load_checkpoint(job.checkpoint()).step_count == 0
        assert job.trainer is None  # the live trainer stays in its process
    finally:
        _stop_all(job)
    assert job.trainer.step_count == 0  # rebuilt from the worker's final checkpoint


def test_a_restored_trainer_is_copied_to_the_worker(pool):
    partial = Trainer(SHORT)
    partial.run(100)
    restored = load_checkpoint(checkpoint_bytes(partial))
    job = _job(pool, SHORT, trainer=restored).start()
    assert job.wait(60) and job.frame().status == "finished"
    assert job.trainer.step_count == 250
    assert restored.step_count == 100  # the caller's trainer was copied, not moved


# ---------------------------------------------------------------------- crash isolation


def test_killed_worker_ends_its_job_only_and_is_replaced(pool):
    victim = _job(pool).start()
    other = _job(pool, GanConfig(epochs=2, seed=5)).start()
    try:
        assert wait_for(lambda: victim.frame().status == "running")
        dead = victim.worker_pid
        os.kill(dead, signal.SIGKILL)
        assert victim.wait(10)
        frame = victim.frame()
        assert frame.status == "error" and frame.ended
        assert "stopped unexpectedly (exit code -9, SIGKILL)" in frame.message
        assert frame.snapshot is not None  # the last picture before the crash stays
        assert other.wait(60) and other.frame().status == "finished"
        assert wait_for(lambda: pool.idle_count() == 2)  # a fresh worker took its place
        assert dead not in pool.worker_pids()
        after = _job(pool, SHORT).start()
        assert after.wait(60) and after.frame().status == "finished"
    finally:
        _stop_all(victim, other)


def test_worker_that_dies_while_paused_ends_its_job(pool):
    job = _job(pool, start_paused=True).start()
    assert wait_for(lambda: job.frame().status == "paused")
    os.kill(job.worker_pid, signal.SIGTERM)
    assert job.wait(10)
    assert job.frame().status == "error" and "SIGTERM" in job.frame().message


# ---------------------------------------------------------------------- the cap and its queue


def test_second_job_queues_and_starts_when_the_first_finishes(one_slot):
    first = _job(one_slot, SHORT).start()
    second = _job(one_slot, SHORT.replace(seed=2)).start()
    try:
        frame = second.frame()
        assert frame.status == "queued" and not frame.ended and second.alive
        assert frame.message == (
            "waiting for a free training slot: the one slot is busy, position 1 of 1"
        )
        with pytest.raises(RuntimeError, match="not started"):
            second.checkpoint()
        assert first.wait(60) and first.frame().status == "finished"
        assert second.wait(60) and second.frame().status == "finished"
        assert second.frame().snapshot.step == 250
    finally:
        _stop_all(first, second)


def test_queue_positions_move_up_and_stopping_a_queued_job_removes_it(one_slot):
    running = _job(one_slot).start()
    second = _job(one_slot, LONG.replace(seed=2)).start()
    third = _job(one_slot, LONG.replace(seed=3)).start()
    try:
        assert third.frame().message.endswith("position 2 of 2")
        assert wait_for(lambda: second.frame().message.endswith("position 1 of 2"))
        second.stop()
        assert second.wait(5)
        assert second.frame().status == "stopped" and second.frame().snapshot is None
        assert one_slot.slots.waiting_count() == 1
        assert wait_for(lambda: third.frame().message.endswith("position 1 of 1"))
        assert third.frame().status == "queued"
        running.stop()
        assert running.wait(10)
        assert wait_for(lambda: third.frame().status == "running")  # took the freed slot
        assert one_slot.slots.running_count() == 1 and one_slot.slots.waiting_count() == 0
    finally:
        _stop_all(running, second, third)


def test_queued_job_whose_page_went_away_leaves_the_queue(one_slot):
    running = _job(one_slot).start()
    forgotten = _job(one_slot, heartbeat_timeout=0.3).start()
    try:
        assert forgotten.frame().status == "queued"
        assert forgotten.wait(10)
        assert forgotten.frame().status == "stopped" and forgotten.frame().message == ORPHANED
        assert one_slot.slots.waiting_count() == 0 and running.frame().status != "stopped"
    finally:
        _stop_all(running, forgotten)


# ---------------------------------------------------------------------- each person's share


def test_a_second_run_of_one_person_waits_and_lets_others_pass(monkeypatch):
    """The server's pool, its limits from the environment: two slots, one per session."""
    shutdown_pool()
    monkeypatch.setenv("GANSCOPE_WORKERS", "1")
    monkeypatch.setenv("GANSCOPE_MAX_JOBS", "2")
    monkeypatch.setenv("GANSCOPE_MAX_JOBS_PER_SESSION", "1")
    monkeypatch.setenv("GANSCOPE_MAX_JOBS_PER_ADDRESS", "2")
    anna, ben = Owner("anna", "10.0.0.1"), Owner("ben", "10.0.0.2")
    jobs = []
    try:
        pool = get_pool()
        first = ProcessTrainingJob(LONG, view=FAST_VIEW, owner=anna).start()
        second = ProcessTrainingJob(LONG.replace(seed=2), view=FAST_VIEW, owner=anna).start()
        jobs = [first, second]
        assert second.frame().status == "queued"
        assert second.frame().message == (
            "waiting: your other run is using your slot; this one starts when it ends"
        )
        other = ProcessTrainingJob(SHORT, view=FAST_VIEW, owner=ben).start()
        jobs.append(other)
        assert other.frame().status != "queued"  # the free slot is Ben's, past Anna's run
        assert other.wait(60) and other.frame().status == "finished"
        assert second.frame().status == "queued"  # a free slot, still not Anna's
        assert pool.slots.running_count() == 1 and pool.slots.waiting_count() == 1
        first.stop()
        assert first.wait(10)
        assert wait_for(lambda: second.frame().status == "running")  # her turn now
    finally:
        _stop_all(*jobs)
        shutdown_pool()


# ---------------------------------------------------------------------- the server dies

# A stand-in server: a pool with one warm worker, a run training on it and a cold worker
# started for a second run; then a forked child keeps copies of every pipe end, as any
# process forked from a server would, so the workers' command pipes never close. It prints
# the pids and waits to be killed.
SERVER = textwrap.dedent(
    """
    import json, os, sys, time
    from gan_core.jobs.pool import WorkerPool
    from gan_core.jobs.process_job import ProcessTrainingJob
    from tests.job_helpers import FAST_VIEW, LONG, wait_for

    pool = WorkerPool(size=1, max_jobs=2, per_session=1, per_address=1)
    assert pool.wait_ready(60)
    jobs = [ProcessTrainingJob(LONG.replace(seed=s), view=FAST_VIEW, pool=pool).start()
            for s in (1, 2)]
    assert wait_for(lambda: all(j.frame().status == "running" for j in jobs), 60)
    holder = os.fork()
    if holder == 0:
        time.sleep(120)
        os._exit(0)
    print(json.dumps({"workers": pool.worker_pids(), "holder": holder}), flush=True)
    time.sleep(600)
    """
)


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_workers_die_with_a_killed_server_even_if_their_pipes_stay_open():
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER],
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        stdout=subprocess.PIPE,
        text=True,
    )
    started = {}
    try:
        started = json.loads(server.stdout.readline())
        workers = started["workers"]
        assert len(workers) == 2 and not any(_gone(pid) for pid in workers)
        server.kill()  # SIGKILL, as the out-of-memory killer sends
        server.wait(10)
        assert wait_for(lambda: all(_gone(pid) for pid in workers), timeout=10), [
            (pid, psutil.Process(pid).status()) for pid in workers if not _gone(pid)
        ]
    finally:
        server.kill()
        server.wait(10)
        for pid in [started.get("holder"), *started.get("workers", [])]:
            if pid is not None and not _gone(pid):
                os.kill(pid, signal.SIGKILL)  # ours: started by the stand-in server above


# ---------------------------------------------------------------------- orphans


def test_heartbeat_keeps_a_job_alive(pool):
    job = _job(pool, heartbeat_timeout=0.4).start()
    try:
        for _ in range(10):
            time.sleep(0.1)
            job.heartbeat()
        assert job.alive and job.frame().status in ("starting", "running")
    finally:
        _stop_all(job)


def test_closed_tabs_leave_no_training_behind(pool):
    """50 jobs whose pages vanish (no heartbeat, no stop): all end, workers come back."""
    jobs = []
    for cycle in range(50):  # overlapping: a new tab every 0.1 s, each gone after 0.5 s
        jobs.append(_job(pool, LONG.replace(seed=cycle), heartbeat_timeout=0.5).start())
        time.sleep(0.1)
    assert wait_for(lambda: not any(job.alive for job in jobs), timeout=30)
    assert all(job.frame().status == "stopped" for job in jobs)
    assert all(job.frame().message == ORPHANED for job in jobs)
    trained = sum(job.frame().snapshot is not None for job in jobs)
    assert trained >= 3  # jobs really reached workers (others left the queue untrained)
    assert pool.busy_count() == 0
    assert pool.slots.running_count() == 0 and pool.slots.waiting_count() == 0
    # The worker started for a third job at once has exited: the pool is back to its size.
    assert wait_for(lambda: len(pool.worker_pids()) == pool.size, timeout=10)
    live = {pid for each in _POOLS for pid in each.worker_pids()}
    assert wait_for(lambda: worker_processes() == live, timeout=10)


# ---------------------------------------------------------------------- the server's pool


def test_one_pool_per_server_shut_down_cleanly(monkeypatch):
    monkeypatch.setenv("GANSCOPE_WORKERS", "1")
    monkeypatch.setenv("GANSCOPE_MAX_JOBS", "1")
    found = []
    threads = [threading.Thread(target=lambda: found.append(get_pool())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert len({id(pool) for pool in found}) == 1
        pool = found[0]
        assert pool.size == 1 and pool.slots.limit == 1
        job = ProcessTrainingJob(SHORT, view=FAST_VIEW).start()  # no pool given: the shared one
        assert job.wait(60) and job.frame().status == "finished"
        pids = set(pool.worker_pids())
        assert len(pids) == 1 and pids <= worker_processes()
    finally:
        shutdown_pool()
    assert wait_for(lambda: not (pids & worker_processes()), timeout=10)
    assert get_pool() is not pool  # a new one after a shutdown
    shutdown_pool()
