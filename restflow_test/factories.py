"""Async factory_boy factories: `await UserFactory.acreate(...)`.

factory_boy builds objects with sync code (`Model.objects.create`, `save()`, sync
hooks), which raises `SynchronousOnlyOperation` when called from an async test. The
classmethods here run that same code through `sync_to_async(thread_sensitive=True)`:
in a restflow-test test (pytest plugin or test-case base) that thread holds the test's
database connection, so the rows are visible to views and rolled back with the test.

Post-generation hooks may be coroutine functions (`async def`): factory_boy calls them
in the sync code and gets a coroutine back; the `a*` classmethods await those
coroutines in the test's event loop once the objects exist, in creation order.

Needs the `factories` extra: `pip install "restflow-test[factories]"`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any, TypeVar

from asgiref.sync import sync_to_async

try:
    import factory.django
except ImportError:
    raise ImportError(
        "`restflow_test.factories` needs factory_boy: "
        'install it with `pip install "restflow-test[factories]"`.'
    ) from None

__all__ = ["AsyncDjangoModelFactory"]

T = TypeVar("T")

# The async post-generation hooks produced by the current `a*` call, in order. A
# context variable, not a module list: each call (and each concurrent task) has its own.
_pending_hooks: ContextVar[list[Coroutine[Any, Any, Any]] | None] = ContextVar(
    "restflow_pending_hooks", default=None
)


async def _run_collecting(generate: Callable[[], T]) -> T:
    """Run sync factory code in the thread that holds the test's connection, then
    await the async post-generation hooks it produced."""

    def generate_and_collect() -> tuple[T, list[Coroutine[Any, Any, Any]]]:
        hooks: list[Coroutine[Any, Any, Any]] = []
        token = _pending_hooks.set(hooks)
        try:
            return generate(), hooks
        except BaseException:
            for hook in hooks:
                hook.close()
            raise
        finally:
            _pending_hooks.reset(token)

    result, hooks = await sync_to_async(generate_and_collect, thread_sensitive=True)()
    for index, hook in enumerate(hooks):
        try:
            await hook
        except BaseException:
            for later in hooks[index + 1:]:
                later.close()
            raise
    return result


class AsyncDjangoModelFactory(factory.django.DjangoModelFactory):
    """factory_boy's `DjangoModelFactory` with awaitable `acreate` and `abuild`.

    Subclass it instead of `factory.django.DjangoModelFactory`; every declaration
    works as before, and sync `create()`/`build()` still work in sync code.
    A `@factory.post_generation` hook may be `async def`: it is awaited after the
    object (and any sub-factory objects) exist, with the usual arguments
    `(obj, create, extracted, **kwargs)`. It runs after the instance was saved, so a
    hook that changes fields saves them itself (`await obj.asave()`); hooks that
    add many-to-many rows (`await obj.groups.aadd(...)`) need nothing more.
    """

    class Meta:
        abstract = True

    @classmethod
    async def acreate(cls, **kwargs: Any) -> Any:
        """Create and save an instance, like `create()`, from async code.

        Args:
            **kwargs: Overrides for the factory's declarations, as for `create()`.

        Returns:
            The saved instance, after its async post-generation hooks ran.
        """
        return await _run_collecting(lambda: cls.create(**kwargs))

    @classmethod
    async def acreate_batch(cls, size: int, **kwargs: Any) -> list[Any]:
        """Create and save `size` instances in one thread hop.

        Args:
            size: How many instances to create.
            **kwargs: Overrides for every instance, as for `create_batch()`.

        Returns:
            The saved instances, after all their async post-generation hooks ran.
        """
        return await _run_collecting(lambda: cls.create_batch(size, **kwargs))

    @classmethod
    async def abuild(cls, **kwargs: Any) -> Any:
        """Build an unsaved instance, like `build()`, awaiting async hooks.

        Hooks receive `create=False`. Sub-factories follow the build strategy, so
        nothing is saved unless a declaration saves by itself.

        Args:
            **kwargs: Overrides for the factory's declarations.

        Returns:
            The unsaved instance.
        """
        return await _run_collecting(lambda: cls.build(**kwargs))

    @classmethod
    async def abuild_batch(cls, size: int, **kwargs: Any) -> list[Any]:
        """Build `size` unsaved instances, awaiting their async hooks.

        Args:
            size: How many instances to build.
            **kwargs: Overrides for every instance.

        Returns:
            The unsaved instances.
        """
        return await _run_collecting(lambda: cls.build_batch(size, **kwargs))

    @classmethod
    def _after_postgeneration(cls, instance: Any, create: bool,
                              results: dict[str, Any] | None = None) -> None:
        """Set aside coroutines returned by async hooks, for the `a*` caller."""
        results = dict(results or {})
        coroutines = [name for name, value in results.items() if inspect.iscoroutine(value)]
        if coroutines:
            pending = _pending_hooks.get()
            if pending is None:
                for name in coroutines:
                    results[name].close()
                method = "create" if create else "build"
                raise TypeError(
                    f"`{cls.__name__}` has async post-generation hooks "
                    f"({', '.join(f'`{name}`' for name in coroutines)}), which sync "
                    f"`{method}()` cannot await: use `await {cls.__name__}.a{method}(...)` "
                    f"(or `a{method}_batch`) in async code."
                )
            pending.extend(results.pop(name) for name in coroutines)
        super()._after_postgeneration(instance, create, results)
