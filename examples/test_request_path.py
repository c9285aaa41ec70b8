"""Examples for docs/client.md and docs/pitfalls.md: the request path and its switch."""

import pytest
from django.test import override_settings

from restflow_test import AsyncAPIClient

pytestmark = pytest.mark.django_db


async def test_exact_path_for_one_client():
    # --8<-- [start:coalesce_off_client]
    # Django's async handler path, hook for hop: one sync_to_async per sync hook.
    exact = AsyncAPIClient(coalesce=False)
    response = await exact.get("/api/echo/")
    assert response.status_code == 200
    # --8<-- [end:coalesce_off_client]


async def test_exact_path_from_settings():
    # --8<-- [start:coalesce_off_setting]
    # In settings.py: RESTFLOW_COALESCE_HOPS = False (every client, unless it
    # passes coalesce=True). For one test, override the setting:
    with override_settings(RESTFLOW_COALESCE_HOPS=False):
        client = AsyncAPIClient()  # the setting is read when the client is made
        response = await client.get("/api/async/echo/")
    assert response.status_code == 200
    # --8<-- [end:coalesce_off_setting]
