"""uvicorn in a background thread: its own event loop, restartable."""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from . import ServerAddress, url_host

__all__ = ["UvicornLiveServer"]

START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0


class UvicornLiveServer(ServerAddress):
    """A uvicorn server on a socket bound here (so the port is known at once)."""

    def __init__(self, server: Any, thread: threading.Thread, sock: socket.socket) -> None:
        self._server = server
        self._thread = thread
        self._socket = sock
        self.host, self.port = sock.getsockname()[:2]

    @classmethod
    def start(cls, application: Any, host: str, port: int) -> UvicornLiveServer:
        try:
            import uvicorn
        except ImportError:
            raise ImproperlyConfigured(
                "The uvicorn live server needs uvicorn: "
                "`pip install 'restflow-test[uvicorn]'`."
            ) from None
        # IPPROTO_TCP explicitly: asyncio disables Nagle on accepted connections only when
        # the socket's proto says TCP, and proto 0 is inherited by every accepted socket.
        # Without it each keep-alive response stalls ~40 ms on delayed ACKs.
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
        except OSError as exc:
            sock.close()
            raise RuntimeError(
                f"uvicorn could not listen on {url_host(host)}:{port}: {exc}. Choose another port "
                "(0 picks a free one) or stop what is using it."
            ) from exc
        config = uvicorn.Config(application, lifespan="off", log_level="warning",
                                access_log=False)
        server = uvicorn.Server(config)
        errors: list[BaseException] = []

        def run() -> None:
            try:
                server.run(sockets=[sock])
            except BaseException as exc:  # re-raised in the test thread
                errors.append(exc)

        thread = threading.Thread(target=run, name="restflow-uvicorn", daemon=True)
        thread.start()
        live = cls(server, thread, sock)
        for _ in range(int(START_TIMEOUT / 0.005)):
            if server.started or errors or not thread.is_alive():
                break
            thread.join(0.005)
        if not server.started:
            live.stop()
            cause = errors[0] if errors else None
            raise RuntimeError(f"uvicorn did not start: {cause!r}") from cause
        return live

    def stop(self) -> None:
        """Close the connections, cancel running requests, and end the server's thread.

        Unlike uvicorn's own graceful shutdown, requests in flight are not waited for.
        """
        server = self._server
        loop = _loop_of(server)
        if loop is not None and self._thread.is_alive():
            try:
                loop.call_soon_threadsafe(_abort, server)
            except RuntimeError:  # the loop has just closed
                pass
        server.should_exit = True
        self._thread.join(STOP_TIMEOUT)
        self._socket.close()
        self._stopped()


def _loop_of(server: Any) -> asyncio.AbstractEventLoop | None:
    listeners = getattr(server, "servers", None)
    return listeners[0].get_loop() if listeners else None


def _abort(server: Any) -> None:
    """In the server's loop: skip the graceful wait, cancel requests, drop connections."""
    server.should_exit = server.force_exit = True
    for task in list(server.server_state.tasks):
        task.cancel()
    for connection in list(server.server_state.connections):
        transport = getattr(connection, "transport", None)
        if transport is not None:
            transport.abort()
