"""The trace: per-test state in a context variable, read by every recorder."""

from __future__ import annotations

import asyncio
import threading
from contextvars import ContextVar
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async


@dataclass
class Trace:
    """Where the test's loop and sync thread are, and what happened in order."""

    loop: asyncio.AbstractEventLoop
    loop_thread: int
    sync_thread: int
    events: list[tuple[str, str, bool]] = field(default_factory=list)


current: ContextVar[Trace | None] = ContextVar("fidelity_trace", default=None)


async def start() -> Trace:
    """A new trace for this test; the sync thread is where thread-sensitive code runs."""
    sync_thread = await sync_to_async(threading.get_ident)()
    trace = Trace(asyncio.get_running_loop(), threading.get_ident(), sync_thread)
    current.set(trace)
    return trace


def record(name: str) -> None:
    """Append `(name, thread kind, in the test's loop)`; a missing trace is an event too."""
    trace = current.get()
    if trace is None:
        raise RuntimeError(f"{name}: the test's context variables are not visible here")
    ident = threading.get_ident()
    kind = ("loop" if ident == trace.loop_thread
            else "sync" if ident == trace.sync_thread else "worker")
    try:
        in_loop = asyncio.get_running_loop() is trace.loop
    except RuntimeError:
        in_loop = False
    trace.events.append((name, kind, in_loop))
