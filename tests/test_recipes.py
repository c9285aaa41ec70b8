"""Facts the recipes state, measured here so the docs stay true."""

import asyncio
import datetime as dt
import threading

import pytest
import time_machine
from freezegun import freeze_time

NEW_YEAR = dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.timezone.utc)


def sleep_returns(clock, *, wait=1.0):
    """Whether `await asyncio.sleep(0.05)` returns within `wait` seconds under `clock`.

    The event loop runs in a thread so that a hung sleep can be seen and then
    cancelled, without hanging this test.
    """
    loop = asyncio.new_event_loop()
    task = loop.create_task(asyncio.sleep(0.05))
    finished = threading.Event()

    def run():
        try:
            loop.run_until_complete(task)
            finished.set()
        except asyncio.CancelledError:
            pass

    thread = threading.Thread(target=run)
    with clock:
        thread.start()
        returned = finished.wait(wait)
    if not returned:
        loop.call_soon_threadsafe(task.cancel)
    thread.join(5)
    loop.close()
    return returned


def test_freezegun_hangs_asyncio_sleep():
    assert not sleep_returns(freeze_time(NEW_YEAR))


def test_freezegun_with_tick_lets_sleep_return():
    assert sleep_returns(freeze_time(NEW_YEAR, tick=True))


def test_freezegun_with_real_asyncio_lets_sleep_return():
    assert sleep_returns(freeze_time(NEW_YEAR, real_asyncio=True))


def test_time_machine_leaves_the_event_loop_clock_alone():
    assert sleep_returns(time_machine.travel(NEW_YEAR, tick=False))


@pytest.mark.parametrize("clock", ["freezegun", "time-machine"])
def test_both_freeze_the_wall_clock(clock):
    frozen = (freeze_time(NEW_YEAR) if clock == "freezegun"
              else time_machine.travel(NEW_YEAR, tick=False))
    with frozen:
        assert dt.datetime.now(dt.timezone.utc) == NEW_YEAR
