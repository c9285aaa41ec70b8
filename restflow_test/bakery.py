"""Async model_bakery: `await amake(Product, ...)`, `await aprepare(...)`.

Each function runs model_bakery's own sync function through
`sync_to_async(thread_sensitive=True)`: in a restflow-test test (pytest plugin or
test-case base) that thread holds the test's database connection, so the rows are
visible to views and rolled back with the test. Arguments are model_bakery's,
unchanged (`_quantity=`, `make_m2m=`, `_fill_optional=`, `_bulk_create=`, ...).

Needs the `factories` extra: `pip install "restflow-test[factories]"`.
"""

from __future__ import annotations

from typing import Any, cast

from asgiref.sync import sync_to_async

try:
    from model_bakery import baker
except ImportError:
    raise ImportError(
        "`restflow_test.bakery` needs model_bakery: "
        'install it with `pip install "restflow-test[factories]"`.'
    ) from None

__all__ = ["amake", "amake_recipe", "aprepare", "aprepare_recipe"]


async def amake(_model: Any, _quantity: int | None = None, **attrs: Any) -> Any:
    """Create and save an instance (or `_quantity` of them), like `baker.make`.

    Args:
        _model: The model class, or its `"app_label.ModelName"`.
        _quantity: How many to create; a list is returned when given.
        **attrs: Field values and model_bakery's options (`make_m2m=True`, ...).

    Returns:
        The saved instance, or a list of them.
    """
    # cast: model_bakery's overloads type `_quantity` as either None or int, not both.
    return await sync_to_async(cast(Any, baker.make), thread_sensitive=True)(
        _model, _quantity, **attrs)


async def aprepare(_model: Any, _quantity: int | None = None, **attrs: Any) -> Any:
    """Build an unsaved instance (or `_quantity` of them), like `baker.prepare`.

    With `_save_related=True` the related objects are saved, which is why this
    runs in the database thread too.

    Args:
        _model: The model class, or its `"app_label.ModelName"`.
        _quantity: How many to prepare; a list is returned when given.
        **attrs: Field values and model_bakery's options.

    Returns:
        The unsaved instance, or a list of them.
    """
    return await sync_to_async(cast(Any, baker.prepare), thread_sensitive=True)(
        _model, _quantity, **attrs)


async def amake_recipe(name: str, _quantity: int | None = None, **attrs: Any) -> Any:
    """Create and save from a recipe, like `baker.make_recipe`.

    Args:
        name: The recipe, `"app_label.recipe_name"` (from the app's `baker_recipes`).
        _quantity: How many to create; a list is returned when given.
        **attrs: Values that override the recipe's.

    Returns:
        The saved instance, or a list of them.
    """
    return await sync_to_async(baker.make_recipe, thread_sensitive=True)(
        name, _quantity, **attrs)


async def aprepare_recipe(name: str, _quantity: int | None = None, **attrs: Any) -> Any:
    """Build unsaved instances from a recipe, like `baker.prepare_recipe`.

    Args:
        name: The recipe, `"app_label.recipe_name"`.
        _quantity: How many to prepare; a list is returned when given.
        **attrs: Values that override the recipe's.

    Returns:
        The unsaved instance, or a list of them.
    """
    return await sync_to_async(baker.prepare_recipe, thread_sensitive=True)(
        name, _quantity, **attrs)
