"""uvicorn in a background thread: its own event loop, restartable."""

from __future__ import annotations

import socket
import threading
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from . import ServerAddress

__all__ = ["UvicornLiveServer"]

START_TIMEOUT = 10.0


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
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
        except OSError as exc:
            sock.close()
            raise RuntimeError(
                f"uvicorn could not listen on {host}:{port}: {exc}. Choose another port "
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
        """Ask the server to exit, wait for its thread, and close the socket."""
        self._server.should_exit = True
        self._thread.join(START_TIMEOUT)
        self._socket.close()
