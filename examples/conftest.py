"""Fixtures the documentation examples share. Copy what you need into your conftest."""

# The demo suite's fixtures, reused: `async_client` (an AsyncAPIClient under the name
# pytest-django gives Django's plain AsyncClient), `user` (maria, password s3cret), and
# `_empty_cache` (the product list cache is process-wide: every example starts without it).
from testproject.tests.conftest import _empty_cache, async_client, user  # noqa: F401
