"""The test-case bases: Django's, with `AsyncAPIClient` and an async lifecycle."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, ClassVar

from asgiref.sync import async_to_sync
from django.db import DEFAULT_DB_ALIAS
from django.test import SimpleTestCase, TestCase, TransactionTestCase
from django.utils.functional import classproperty

from .client import AsyncAPIClient
from .db import CaptureOnCommit, CountQueries, format_queries, thread_connections
from .exchanges import reporting_failures_to
from .pending import TestOwner, begin_test, end_test, forgotten_await_message
from .realtime import isolate_realtime
from .redirects import RedirectAssertionsMixin

__all__ = [
    "AsyncAPILiveServerTestCase",
    "AsyncAPISimpleTestCase",
    "AsyncAPITestCase",
    "AsyncAPITransactionTestCase",
]

_MUST_BE_ASYNC = ("asyncSetUp", "asyncTearDown", "asetUpTestData")
_ASYNC_TWIN = {"setUp": "asyncSetUp", "tearDown": "asyncTearDown",
               "setUpTestData": "asetUpTestData"}
_MUST_BE_SYNC = ("setUp", "tearDown", "setUpTestData", "setUpClass", "tearDownClass")


class AsyncLifecycleMixin(RedirectAssertionsMixin):
    """`asyncSetUp`/`asyncTearDown` in the same event loop as the async test."""

    # Django's stubs type these as its own Client classes; ours is an async client.
    client_class: Any = AsyncAPIClient
    async_client_class: Any = AsyncAPIClient
    client: Any
    async_client: Any
    _testMethodName: str

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in _MUST_BE_ASYNC:
            method = inspect.getattr_static(cls, name, None)
            function = getattr(method, "__func__", method)
            if function is not None and not inspect.iscoroutinefunction(function):
                raise TypeError(
                    f"{cls.__name__}.{name} must be defined with `async def`: make it "
                    "async, or put sync code in "
                    f"`{ {v: k for k, v in _ASYNC_TWIN.items()}[name]}` instead."
                )
        for name in _MUST_BE_SYNC:
            function = getattr(inspect.getattr_static(cls, name, None), "__func__", None)
            function = function or cls.__dict__.get(name)
            if function is not None and inspect.iscoroutinefunction(function):
                async_name = _ASYNC_TWIN.get(name)
                fix = (f"rename it to `{async_name}`" if async_name
                       else "make it sync")
                raise TypeError(
                    f"{cls.__name__}.{name} is `async def`, but unittest calls it "
                    f"without awaiting it: {fix}."
                )
        cls._check_asetUpTestData()

    @classmethod
    def _check_asetUpTestData(cls) -> None:
        if "asetUpTestData" not in cls.__dict__:
            return
        if not getattr(cls, "_supports_asetUpTestData", False):
            raise TypeError(
                f"{cls.__name__}.asetUpTestData only runs on AsyncAPITestCase, whose "
                "class transaction rolls that data back: subclass AsyncAPITestCase, or "
                "create the data in asyncSetUp."
            )
        if not isinstance(cls.__dict__["asetUpTestData"], classmethod):
            raise TypeError(
                f"{cls.__name__}.asetUpTestData must be a classmethod: add "
                "`@classmethod` above `async def asetUpTestData(cls)`."
            )

    async def asyncSetUp(self) -> None:
        """Async set-up, run in the test's event loop before an async test."""

    async def asyncTearDown(self) -> None:
        """Async tear-down, run in the test's event loop after an async test."""

    def _has_async_lifecycle(self) -> bool:
        cls = type(self)
        return (cls.asyncSetUp is not AsyncLifecycleMixin.asyncSetUp
                or cls.asyncTearDown is not AsyncLifecycleMixin.asyncTearDown)

    def _wrap_test_method(self) -> None:
        name = self._testMethodName
        method: Callable[[], Any] = getattr(self, name)
        if inspect.iscoroutinefunction(method):
            async def run_async() -> None:
                await self.asyncSetUp()
                try:
                    await method()
                finally:
                    await self.asyncTearDown()
                self._fail_on_never_awaited()

            wrapped: Any = async_to_sync(run_async)
        elif self._has_async_lifecycle():
            def wrapped() -> None:
                async_to_sync(self.asyncSetUp)()
                try:
                    method()
                finally:
                    async_to_sync(self.asyncTearDown)()
                self._fail_on_never_awaited()
        else:  # nothing async to run: no event loop at all
            def wrapped() -> None:
                method()
                self._fail_on_never_awaited()

        # Keep what unittest reads from the method: `__unittest_skip__`,
        # `__unittest_expecting_failure__`, the name and the docstring.
        setattr(self, name, functools.wraps(method)(wrapped))

    def _fail_on_never_awaited(self) -> None:
        calls = self._owner.take()
        if calls:
            raise AssertionError(forgotten_await_message(calls))

    def __call__(self, result: Any = None) -> Any:
        self._owner: TestOwner = begin_test(self.id())  # type: ignore[attr-defined]
        self._wrap_test_method()
        try:
            # Failures show the HTTP exchanges; consumers keep the test's connections.
            with reporting_failures_to(result), isolate_realtime():
                return super().__call__(result)  # type: ignore[misc]
        finally:
            self._unwrap_test_method()
            self._end_owner(result)

    def debug(self) -> None:
        self._owner = begin_test(self.id())  # type: ignore[attr-defined]
        self._wrap_test_method()
        try:
            with isolate_realtime():
                super().debug()  # type: ignore[misc]
        finally:
            self._unwrap_test_method()
            self._end_owner(None)

    def _end_owner(self, result: Any) -> None:
        # A call dropped in the sync tearDown, after the wrapped method's check.
        end_test(self._owner)
        calls = self._owner.take()
        if calls and result is not None:
            error = AssertionError(forgotten_await_message(calls))
            result.addFailure(self, (AssertionError, error, None))

    def _unwrap_test_method(self) -> None:
        # The wrapper closes over self: left on the instance it makes a reference
        # cycle, and every finished test would wait for the cyclic garbage collector.
        self.__dict__.pop(self._testMethodName, None)


class AsyncDatabaseAssertionsMixin:
    """Query counting and on_commit capture on the connection the test really uses."""

    _main_connections: dict[str, Any]

    def __call__(self, result: Any = None) -> Any:
        # __call__/debug run on the test's main thread: the thread whose connections
        # awaited ORM calls and the client's views come back to.
        self._main_connections = thread_connections()
        return super().__call__(result)  # type: ignore[misc]

    def debug(self) -> None:
        self._main_connections = thread_connections()
        super().debug()  # type: ignore[misc]

    def _connection(self, using: str) -> Any:
        return self._main_connections[using]

    def _check_count(self, using: str) -> Callable[[int | None, int, list[dict[str, Any]], str],
                                                    None]:
        def check(expected: int | None, executed: int, queries: list[dict[str, Any]],
                  where: str) -> None:
            self.assertEqual(  # type: ignore[attr-defined]
                executed, expected,
                f"{executed} queries executed on {using!r}, {expected} expected, in the "
                f"block at {where}\n"
                f"Captured queries were:\n{format_queries(queries)}",
            )
        return check

    def assertNumQueries(self, num: int, func: Callable[..., Any] | None = None,
                         *args: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> Any:
        """Like Django's, and also works in `async def` tests (`with` form)."""
        context = CountQueries(self._connection(using), num, self._check_count(using))
        if func is None:
            return context
        with context:
            func(*args, **kwargs)
        return None

    def aassertNumQueries(self, num: int, *, using: str = DEFAULT_DB_ALIAS) -> CountQueries:
        """`async with self.aassertNumQueries(n):` counts awaited ORM calls and views.

        Args:
            num: The expected number of queries.
            using: The database alias.

        Returns:
            A context manager (`async with` or `with`) that fails the test on exit,
            listing the queries, when the count differs.
        """
        context: CountQueries = self.assertNumQueries(num, using=using)
        return context


class AsyncAPISimpleTestCase(AsyncLifecycleMixin, SimpleTestCase):
    """No database access; `self.client` is an [AsyncAPIClient][restflow_test.AsyncAPIClient].

    A query fails with Django's message. Has the async lifecycle (`asyncSetUp`,
    `asyncTearDown`) and fails a test that forgets to await a client call.
    """

    def acaptureOnCommitCallbacks(self, **kwargs: Any) -> Any:
        """Refused: there is no database here, so no on_commit callbacks.

        Raises:
            TypeError: Always, pointing at `AsyncAPITestCase`.
        """
        raise TypeError(
            "AsyncAPISimpleTestCase has no database, so there are no on_commit callbacks "
            "to capture: use AsyncAPITestCase."
        )


class AsyncAPITransactionTestCase(AsyncLifecycleMixin, AsyncDatabaseAssertionsMixin,
                                  TransactionTestCase):
    """Real commits, tables flushed after each test; `on_commit` callbacks run."""

    def captureOnCommitCallbacks(self, **kwargs: Any) -> Any:
        """Refused: callbacks run at each real commit; assert their effect instead.

        Raises:
            TypeError: Always, pointing at `AsyncAPITestCase` for capturing.
        """
        raise TypeError(
            f"{type(self).__name__} commits for real, so on_commit callbacks run at "
            "commit and there is nothing to capture: assert their effect instead, or "
            "use AsyncAPITestCase to capture them."
        )

    acaptureOnCommitCallbacks = captureOnCommitCallbacks


class AsyncAPITestCase(AsyncLifecycleMixin, AsyncDatabaseAssertionsMixin, TestCase):
    """Each test in a transaction rolled back at its end; the fast default.

    `on_commit` callbacks do not run unless captured with
    `captureOnCommitCallbacks(execute=True)` or `acaptureOnCommitCallbacks`.
    Class-level data can be created with `@classmethod async def asetUpTestData`.
    """

    _supports_asetUpTestData: ClassVar[bool] = True

    @classmethod
    def setUpTestData(cls) -> None:
        """Django's class-wide set-up, then `asetUpTestData` if the class defines one.

        Define `asetUpTestData` as an async classmethod; like `setUpTestData`, the
        attributes it sets are deep-copied for each test and its rows are rolled back
        when the class ends. Overriding `setUpTestData` too? Call `super()`.
        """
        super().setUpTestData()
        asetup = getattr(cls, "asetUpTestData", None)
        if asetup is not None:
            async_to_sync(asetup)()

    def captureOnCommitCallbacks(  # type: ignore[override]
        self, *, using: str = DEFAULT_DB_ALIAS, execute: bool = False
    ) -> CaptureOnCommit:
        """Capture on_commit callbacks in sync and `async def` tests.

        Use it as `with` or `async with` (`acaptureOnCommitCallbacks` is the same
        method); the `async with` form runs executed callbacks through
        `sync_to_async`, so callbacks may query the database. Callbacks registered by
        awaited ORM calls and by views reached through `self.client` are captured.

        Args:
            using: The database alias.
            execute: Run the captured callbacks when the block exits.

        Returns:
            A context manager whose target is the list of captured callbacks.
        """
        return CaptureOnCommit(self._connection(using), execute=execute)

    acaptureOnCommitCallbacks = captureOnCommitCallbacks


class AsyncAPILiveServerTestCase(AsyncAPITransactionTestCase):
    """A real ASGI server (Daphne by default) serving the project for the class.

    `self.live_server_url` points at it (`self.live_server_ws_url` for WebSocket
    clients); `self.client` is still the in-process
    [AsyncAPIClient][restflow_test.AsyncAPIClient]. Class attributes:

    - `live_server_backend`: `"daphne"` or `"uvicorn"`; default
      `settings.RESTFLOW_LIVE_SERVER_BACKEND`, else `"daphne"`.
    - `asgi_application`: a dotted path; default `settings.ASGI_APPLICATION`.
    - `host`, `port`: where to listen (`"::1"` for IPv6); port 0 picks a free port.
    """

    live_server_backend: ClassVar[str | None] = None
    asgi_application: ClassVar[str | None] = None
    host: ClassVar[str] = "127.0.0.1"
    port: ClassVar[int] = 0
    server: ClassVar[Any]

    @classproperty
    def live_server_url(cls) -> str:
        """`http://127.0.0.1:<port>`, the running server's address."""
        return str(cls.server.url)

    @classproperty
    def live_server_ws_url(cls) -> str:
        """`ws://127.0.0.1:<port>`, the same server for WebSocket clients."""
        return str(cls.server.ws_url)

    @classmethod
    def setUpClass(cls) -> None:
        """Start the server for the class; it stops in the class clean-up.

        Raises:
            RuntimeError: The server could not start (port taken, ...), with the cause.
            ImproperlyConfigured: The ASGI application or the backend is not usable.
        """
        super().setUpClass()
        from django.test.utils import modify_settings

        from .live_server import load_application, start_live_server, url_host

        allowed = modify_settings(ALLOWED_HOSTS={"append": url_host(cls.host)})
        allowed.enable()
        cls.addClassCleanup(allowed.disable)
        application = load_application(cls.asgi_application)
        cls.server = start_live_server(cls.live_server_backend, application,
                                       host=cls.host, port=cls.port)
        cls.addClassCleanup(cls.server.stop)

    def _fixture_teardown(self) -> None:
        # A request the test stopped waiting for is still being served: let it finish
        # before the flush, or its writes land in the next test.
        from .live_server import still_running_error

        still_running = self.server.wait_idle()
        super()._fixture_teardown()  # type: ignore[misc]  # TransactionTestCase flushes here
        if still_running:
            raise still_running_error(still_running)
