"""The async client handler that adds forced authentication."""

from __future__ import annotations

from typing import Any

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponseBase
from django.test.client import AsyncClientHandler as DjangoAsyncClientHandler

from .factory import apply_extra_meta, force_authenticate

__all__ = ["ForceAuthAsyncClientHandler"]


class ForceAuthAsyncClientHandler(DjangoAsyncClientHandler):
    """Django's async client handler, plus forced authentication on every request.

    `get_response_async` is where the request object first exists and before any
    middleware runs, so it is where the forced user and token are attached (as DRF's
    sync `ForceAuthClientHandler` does in `get_response`).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.force_user: Any = None
        self.force_token: Any = None
        super().__init__(*args, **kwargs)

    async def get_response_async(self, request: ASGIRequest) -> HttpResponseBase:  # type: ignore[override]
        apply_extra_meta(request)
        force_authenticate(request, self.force_user, self.force_token)
        return await super().get_response_async(request)
